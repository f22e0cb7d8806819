#include "fetch/content_check.h"

#include <algorithm>
#include <cctype>

namespace sluice {
namespace {

bool starts(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "image/jpeg; charset=x" -> "image/jpeg"
std::string media_type(const std::string& content_type) {
  std::string t = lower(content_type.substr(0, content_type.find(';')));
  t.erase(std::remove_if(t.begin(), t.end(), [](unsigned char c) { return std::isspace(c); }),
          t.end());
  return t;
}

bool matches(const std::string& type, const std::string& range) {
  std::string r = lower(range);
  if (r == "*/*" || r == "*") return true;
  if (r.size() > 2 && r.compare(r.size() - 2, 2, "/*") == 0) {
    return type.compare(0, r.size() - 1, r, 0, r.size() - 1) == 0;
  }
  return type == r;
}

// ISO base media file: [size]["ftyp"][major brand]...
std::string sniff_ftyp(std::string_view head) {
  if (head.size() < 12 || head.substr(4, 4) != "ftyp") return "";
  std::string_view brand = head.substr(8, 4);
  if (brand == "avif" || brand == "avis") return "avif";
  if (brand == "heic" || brand == "heix" || brand == "hevc" || brand == "heim" || brand == "heis" ||
      brand == "mif1" || brand == "msf1") {
    return "heic";
  }
  return "";
}

}  // namespace

std::string sniff_image(std::string_view head) {
  if (starts(head, "\xFF\xD8\xFF")) return "jpeg";
  if (starts(head, std::string_view("\x89PNG\r\n\x1A\n", 8))) return "png";
  if (starts(head, "GIF87a") || starts(head, "GIF89a")) return "gif";
  if (head.size() >= 12 && starts(head, "RIFF") && head.substr(8, 4) == "WEBP") return "webp";
  if (std::string f = sniff_ftyp(head); !f.empty()) return f;
  if (starts(head, "BM")) return "bmp";
  if (starts(head, std::string_view("II*\0", 4)) || starts(head, std::string_view("MM\0*", 4))) {
    return "tiff";
  }
  size_t i = 0;
  while (i < head.size() && std::isspace(static_cast<unsigned char>(head[i]))) ++i;
  std::string rest = lower(head.substr(i));
  if (starts(rest, "<svg") || (starts(rest, "<?xml") && rest.find("<svg") != std::string::npos)) {
    return "svg";
  }
  return "";
}

Status check_content(const ContentPolicy& policy, const std::string& content_type,
                     std::string_view head, const std::string& url) {
  std::string type = media_type(content_type);
  if (!policy.accept.empty() && !type.empty()) {
    bool ok = std::any_of(policy.accept.begin(), policy.accept.end(),
                          [&](const std::string& r) { return matches(type, r); });
    if (!ok) {
      return make_error(Reason::not_image,
                        "Content-Type '" + content_type + "' is not accepted (" + url + ")");
    }
  }
  if (!policy.check_magic) return Status();
  std::string kind = sniff_image(head);
  if (kind == "svg" && !policy.allow_svg) {
    return make_error(Reason::not_image, "SVG refused (enable with --allow-svg) (" + url + ")");
  }
  if (kind.empty()) {
    std::string shown;
    for (unsigned char c : head.substr(0, 8)) {
      static const char* hex = "0123456789abcdef";
      shown += hex[c >> 4];
      shown += hex[c & 15];
    }
    return make_error(Reason::not_image, "bytes are no known image format (starts " +
                                             (shown.empty() ? std::string("empty") : shown) +
                                             ") (" + url + ")");
  }
  return Status();
}

}  // namespace sluice
