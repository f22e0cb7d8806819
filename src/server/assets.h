// The dashboard's files (src/server/assets/), compiled into the binary by CMake
// (cmake/embed_assets.cmake writes assets_data.cpp at build time): no CDN, works offline.
#pragma once

#include <string_view>

namespace sluice {

struct Asset {
  std::string_view path;          // "/", "/app.js", "/app.css"
  std::string_view content_type;  // "text/html; charset=utf-8", ...
  std::string_view body;
};

// The asset served at path, or nullptr.
const Asset* find_asset(std::string_view path);

}  // namespace sluice
