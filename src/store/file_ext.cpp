#include "store/file_ext.h"

#include <array>
#include <string_view>
#include <utility>

#include "util/text.h"

namespace sluice {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 18> kImageTypes = {{
    {"image/jpeg", ".jpg"},
    {"image/jpg", ".jpg"},
    {"image/pjpeg", ".jpg"},
    {"image/png", ".png"},
    {"image/x-png", ".png"},
    {"image/apng", ".png"},
    {"image/gif", ".gif"},
    {"image/webp", ".webp"},
    {"image/avif", ".avif"},
    {"image/heic", ".heic"},
    {"image/heif", ".heif"},
    {"image/svg+xml", ".svg"},
    {"image/bmp", ".bmp"},
    {"image/x-ms-bmp", ".bmp"},
    {"image/tiff", ".tiff"},
    {"image/x-icon", ".ico"},
    {"image/vnd.microsoft.icon", ".ico"},
    {"image/jxl", ".jxl"},
}};

constexpr size_t kMaxExtChars = 5;

// ASCII only, whatever the locale.
bool is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string ext_from_type(std::string_view content_type) {
  std::string type = ascii_lower(trim_header(content_type.substr(0, content_type.find(';'))));
  for (const auto& [name, ext] : kImageTypes) {
    if (type == name) return std::string(ext);
  }
  return "";
}

std::string ext_from_path(std::string_view path) {
  path = path.substr(0, path.find_first_of("?#"));
  size_t slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t dot = name.rfind('.');
  // No dot, or a leading one (".hidden" has no extension).
  if (dot == std::string_view::npos || dot == 0) return "";
  std::string_view ext = name.substr(dot + 1);
  if (ext.empty() || ext.size() > kMaxExtChars) return "";
  for (char c : ext) {
    if (!is_alnum(c)) return "";
  }
  return "." + ascii_lower(ext);
}

}  // namespace

std::string ext_for(const std::string& content_type, const std::string& url_path) {
  std::string ext = ext_from_type(content_type);
  return ext.empty() ? ext_from_path(url_path) : ext;
}

}  // namespace sluice
