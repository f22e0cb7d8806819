// What every store accepts as an object key, checked in one place: by KeyTemplate after
// rendering and again by each store before it writes (defence in depth).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/error.h"

namespace sluice {

// S3's limit on a key, in UTF-8 bytes.
inline constexpr size_t kMaxKeyBytes = 1024;
// NAME_MAX on common file systems; enforced for every store so a key valid for S3 is
// valid for a folder too.
inline constexpr size_t kMaxKeySegmentBytes = 255;

// A key is '/'-separated segments. It is valid when it is non-empty, at most kMaxKeyBytes,
// valid UTF-8 without control characters (C0, DEL, C1) or backslashes, and every segment
// is non-empty, at most kMaxKeySegmentBytes and not "." or "..". So: no absolute paths, no
// empty segments, nothing that climbs out of the store's root.
// Errors are bad_key naming the key (see printable()).
Status check_object_key(std::string_view key);

// Length of the well-formed UTF-8 sequence starting at s[i] (1 for ASCII), or 0 if the
// bytes there are not one. i must be < s.size().
size_t utf8_sequence_length(std::string_view s, size_t i);

// True when a well-formed sequence of len bytes at s[i] is a C1 control (U+0080..U+009F).
bool is_c1_control(std::string_view s, size_t i, size_t len);

// True when s is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF).
bool is_valid_utf8(std::string_view s);

// s for an error message or a log line: control characters, backslashes and bytes of
// invalid UTF-8 as \xNN; cut to max_bytes with "..." appended.
std::string printable(std::string_view s, size_t max_bytes = 200);

}  // namespace sluice
