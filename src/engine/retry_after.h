// Retry-After: delay-seconds or an HTTP-date (RFC 9110 10.2.3).
#pragma once

#include <cstdint>
#include <string>

namespace sluice {

// Milliseconds from now_ms until the time the header names; 0 when it is unparseable or
// already past.
int64_t parse_retry_after_ms(const std::string& value, int64_t now_ms);

}  // namespace sluice
