// Is what was fetched an image? Content-Type against --accept patterns, and the body's
// first bytes against the magic numbers of the image formats sluice accepts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace sluice {

struct ContentPolicy {
  std::vector<std::string> accept = {"image/*"};  // media ranges; empty: any type
  bool check_magic = true;                        // the bytes must be a known image format
  bool allow_svg = false;                         // SVG is text and can carry script: opt in
};

// "jpeg", "png", "gif", "webp", "avif", "heic", "bmp", "tiff", "svg" or "" (unknown).
std::string sniff_image(std::string_view head);

// ok, or not_image with a detail naming the type and what the bytes look like.
Status check_content(const ContentPolicy& policy, const std::string& content_type,
                     std::string_view head, const std::string& url);

}  // namespace sluice
