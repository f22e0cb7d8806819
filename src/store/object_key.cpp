#include "store/object_key.h"

namespace sluice {
namespace {

Error key_error(std::string_view key, const std::string& why) {
  return make_error(Reason::bad_key, "object key '" + printable(key) + "': " + why);
}

}  // namespace

Status check_object_key(std::string_view key) {
  if (key.empty()) return key_error(key, "empty");
  if (key.size() > kMaxKeyBytes) {
    return key_error(key, "longer than " + std::to_string(kMaxKeyBytes) + " bytes (" +
                              std::to_string(key.size()) + ")");
  }
  if (key.front() == '/') return key_error(key, "absolute (starts with '/')");
  for (size_t i = 0; i < key.size();) {
    size_t len = utf8_sequence_length(key, i);
    if (len == 0) return key_error(key, "not valid UTF-8 at byte " + std::to_string(i));
    auto c = static_cast<unsigned char>(key[i]);
    if (c < 0x20 || c == 0x7f || is_c1_control(key, i, len)) {
      return key_error(key, "control character at byte " + std::to_string(i));
    }
    if (c == '\\') return key_error(key, "backslash at byte " + std::to_string(i));
    i += len;
  }
  size_t start = 0;
  while (true) {
    size_t end = key.find('/', start);
    std::string_view segment = key.substr(start, end == std::string_view::npos ? end : end - start);
    if (segment.empty()) return key_error(key, "empty path segment");
    if (segment == "." || segment == "..") {
      return key_error(key, "path segment '" + std::string(segment) + "'");
    }
    if (segment.size() > kMaxKeySegmentBytes) {
      return key_error(
          key, "a path segment is longer than " + std::to_string(kMaxKeySegmentBytes) + " bytes");
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return {};
}

}  // namespace sluice
