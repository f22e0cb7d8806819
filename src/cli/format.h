// Text forms shared by the commands that print jobs (export, dlq).
#pragma once

#include <cstdint>
#include <string>

namespace sluice {

// "2026-11-25T21:23:34.493Z"; "" for 0.
std::string iso_time(int64_t ms);

// RFC 4180: quote a field that holds a comma, quote, CR or LF; double inner quotes.
std::string csv_field(const std::string& s);

}  // namespace sluice
