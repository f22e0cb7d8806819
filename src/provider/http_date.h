// HTTP dates (RFC 9110 5.6.7, IMF-fixdate): "Sun, 06 Nov 1994 08:49:37 GMT".
#pragma once

#include <cstdint>
#include <string>

namespace sluice {

// The IMF-fixdate of a Unix time in seconds; day and month names are never localised.
std::string http_date(int64_t unix_seconds);

}  // namespace sluice
