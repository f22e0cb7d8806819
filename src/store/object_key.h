// What every store accepts as an object key, checked in one place: by KeyTemplate after
// rendering and again by each store before it writes (defence in depth).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/error.h"
#include "util/text.h"  // printable(), UTF-8 checks

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

}  // namespace sluice
