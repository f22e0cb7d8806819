// Small text helpers: HTTP header lines, UTF-8 checks, and values made safe to echo in an
// error message or a log line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice {

// Without leading blanks and trailing blanks / CR / LF.
std::string_view trim_header(std::string_view s);

// ASCII case-insensitive equality (header names).
bool iequals(std::string_view a, std::string_view b);

// s with ASCII A-Z lowered (header names, hex digests, file extensions).
std::string ascii_lower(std::string_view s);

// Length of the well-formed UTF-8 sequence starting at s[i] (1 for ASCII), or 0 if the
// bytes there are not one. i must be < s.size().
size_t utf8_sequence_length(std::string_view s, size_t i);

// True when a well-formed sequence of len bytes at s[i] is a C1 control (U+0080..U+009F).
bool is_c1_control(std::string_view s, size_t i, size_t len);

// True when s is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF).
bool is_valid_utf8(std::string_view s);

// How much of an echoed value a message shows by default.
inline constexpr size_t kPrintableBytes = 200;

// s for an error message or a log line, whatever it holds and however long it is:
// control characters (C0, DEL, C1), backslashes and bytes of invalid UTF-8 become \xNN, and
// the result is cut after about max_bytes (a whole escape or UTF-8 character is never
// split) with "..." appended. Reads at most about max_bytes of s, so a value of 100 MB
// costs no more than one of 200 bytes. Every message that echoes a value from input, a
// flag or a peer goes through this.
std::string printable(std::string_view s, size_t max_bytes = kPrintableBytes);

// printable(s, max_bytes) in double quotes: a field or column name in a message.
std::string in_quotes(std::string_view s, size_t max_bytes = 64);

}  // namespace sluice
