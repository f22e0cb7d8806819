// Text forms shared by the commands that print jobs (export, dlq).
#pragma once

#include <string>

#include "util/iso_time.h"

namespace sluice {

// RFC 4180: quote a field that holds a comma, quote, CR or LF; double inner quotes.
std::string csv_field(const std::string& s);

}  // namespace sluice
