// Small text helpers for HTTP header lines.
#pragma once

#include <string_view>

namespace sluice {

// Without leading blanks and trailing blanks / CR / LF.
std::string_view trim_header(std::string_view s);

// ASCII case-insensitive equality (header names).
bool iequals(std::string_view a, std::string_view b);

}  // namespace sluice
