#include "store/s3_xml.h"

#include <cstdlib>

namespace sluice {
namespace {

void append_utf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp <= 0x10FFFF) {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string decode_entities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    size_t semi = s[i] == '&' ? s.find(';', i) : std::string_view::npos;
    if (semi == std::string_view::npos || semi - i > 10) {
      out.push_back(s[i]);
      continue;
    }
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp")
      out.push_back('&');
    else if (ent == "lt")
      out.push_back('<');
    else if (ent == "gt")
      out.push_back('>');
    else if (ent == "quot")
      out.push_back('"');
    else if (ent == "apos")
      out.push_back('\'');
    else if (ent.size() > 1 && ent[0] == '#') {
      std::string num(ent.substr(ent[1] == 'x' ? 2 : 1));
      append_utf8(out, std::strtoul(num.c_str(), nullptr, ent[1] == 'x' ? 16 : 10));
    } else {
      out.append(s.substr(i, semi - i + 1));  // unknown: keep as is
    }
    i = semi;
  }
  return out;
}

}  // namespace

std::optional<std::string> xml_text(std::string_view body, std::string_view name) {
  std::string open = "<" + std::string(name);
  std::string close = "</" + std::string(name) + ">";
  for (size_t at = body.find(open); at != std::string_view::npos; at = body.find(open, at + 1)) {
    size_t after = at + open.size();
    if (after >= body.size()) return std::nullopt;
    char c = body[after];
    if (c != '>' && c != ' ' && c != '/') continue;  // <CodeX> is not <Code>
    size_t gt = body.find('>', after);
    if (gt == std::string_view::npos) return std::nullopt;
    if (body[gt - 1] == '/') return std::string();  // <Code/>
    size_t end = body.find(close, gt + 1);
    if (end == std::string_view::npos) return std::nullopt;
    return decode_entities(body.substr(gt + 1, end - gt - 1));
  }
  return std::nullopt;
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string complete_multipart_body(const std::vector<std::pair<int, std::string>>& parts) {
  std::string out = "<CompleteMultipartUpload>";
  for (const auto& [number, etag] : parts) {
    out += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" +
           xml_escape(etag) + "</ETag></Part>";
  }
  return out + "</CompleteMultipartUpload>";
}

}  // namespace sluice
