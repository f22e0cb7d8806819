#include "util/url.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>

#include "util/curl_url.h"
#include "util/text.h"

namespace sluice {

std::string host_key(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Result<UrlParts> parse_url(const std::string& url) {
  if (url.empty()) return make_error(Reason::bad_url, "empty URL");
  for (unsigned char c : url) {
    if (c < 0x20 || c == 0x7f) return make_error(Reason::bad_url, "control character in URL");
  }
  CurlUrl h(curl_url());
  if (!h) return make_error(Reason::internal, "curl_url() failed");
  CURLUcode rc = curl_url_set(h.get(), CURLUPART_URL, url.c_str(), 0);
  if (rc != CURLUE_OK) {
    return make_error(Reason::bad_url, std::string(curl_url_strerror(rc)) + ": " + printable(url));
  }
  UrlParts out;
  CurlStr scheme, host, port, path;
  if (curl_url_get(h.get(), CURLUPART_SCHEME, &scheme.p, 0) != CURLUE_OK) {
    return make_error(Reason::bad_url, "no scheme: " + printable(url));
  }
  out.scheme = scheme.p;
  for (char& c : out.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (out.scheme != "http" && out.scheme != "https") {
    return make_error(Reason::bad_url, "scheme '" + printable(out.scheme, 20) +
                                           "' is not http or https: " + printable(url));
  }
  if (curl_url_get(h.get(), CURLUPART_HOST, &host.p, 0) != CURLUE_OK || !host.p || !*host.p) {
    return make_error(Reason::bad_url, "no host: " + printable(url));
  }
  out.host = host.p;
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  for (char& c : out.host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (curl_url_get(h.get(), CURLUPART_PORT, &port.p, CURLU_DEFAULT_PORT) != CURLUE_OK) {
    return make_error(Reason::bad_url, "no port: " + printable(url));
  }
  out.port = std::atoi(port.p);
  if (curl_url_get(h.get(), CURLUPART_PATH, &path.p, 0) == CURLUE_OK && path.p) out.path = path.p;
  out.host_key = host_key(out.host, out.port);
  return out;
}

Status check_host_name(std::string_view host) {
  constexpr size_t kMaxName = 253, kMaxLabel = 63;
  auto bad = [&](const std::string& why) {
    return make_error(Reason::bad_url, "host name '" + printable(host) + "' " + why);
  };
  if (host.find(':') != std::string_view::npos) return Status();  // an IPv6 literal
  std::string_view name = host;
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);  // a fully qualified name
  if (name.empty()) return bad("is empty");
  if (name.size() > kMaxName) {
    return bad("is " + std::to_string(name.size()) + " bytes, longer than " +
               std::to_string(kMaxName));
  }
  size_t start = 0;
  for (;;) {
    size_t end = name.find('.', start);
    std::string_view label = name.substr(start, end == std::string_view::npos ? end : end - start);
    if (label.empty()) return bad("has an empty label (\"..\" or a leading '.')");
    if (label.size() > kMaxLabel) {
      return bad("has a label of " + std::to_string(label.size()) + " bytes, longer than " +
                 std::to_string(kMaxLabel) + " ('" + printable(label, 40) + "')");
    }
    for (size_t i = 0; i < label.size();) {
      auto c = static_cast<unsigned char>(label[i]);
      size_t len = utf8_sequence_length(label, i);
      bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '_' || (len > 1 && !is_c1_control(label, i, len));
      if (!allowed) {
        return bad("has a character not allowed in a host name ('" +
                   printable(label.substr(i, len == 0 ? 1 : len)) + "')");
      }
      i += len;
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return Status();
}

}  // namespace sluice
