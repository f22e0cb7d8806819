#include "util/url.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>

namespace sluice {
namespace {

struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlStr {
  char* p = nullptr;
  ~CurlStr() { curl_free(p); }
};

}  // namespace

std::string host_key(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Result<UrlParts> parse_url(const std::string& url) {
  if (url.empty()) return make_error(Reason::bad_url, "empty URL");
  for (unsigned char c : url) {
    if (c < 0x20 || c == 0x7f) return make_error(Reason::bad_url, "control character in URL");
  }
  std::unique_ptr<CURLU, UrlDeleter> h(curl_url());
  if (!h) return make_error(Reason::internal, "curl_url() failed");
  CURLUcode rc = curl_url_set(h.get(), CURLUPART_URL, url.c_str(), 0);
  if (rc != CURLUE_OK) {
    return make_error(Reason::bad_url, std::string(curl_url_strerror(rc)) + ": " + url);
  }
  UrlParts out;
  CurlStr scheme, host, port, path;
  if (curl_url_get(h.get(), CURLUPART_SCHEME, &scheme.p, 0) != CURLUE_OK) {
    return make_error(Reason::bad_url, "no scheme: " + url);
  }
  out.scheme = scheme.p;
  for (char& c : out.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (out.scheme != "http" && out.scheme != "https") {
    return make_error(Reason::bad_url, "scheme '" + out.scheme + "' is not http or https: " + url);
  }
  if (curl_url_get(h.get(), CURLUPART_HOST, &host.p, 0) != CURLUE_OK || !host.p || !*host.p) {
    return make_error(Reason::bad_url, "no host: " + url);
  }
  out.host = host.p;
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  for (char& c : out.host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (curl_url_get(h.get(), CURLUPART_PORT, &port.p, CURLU_DEFAULT_PORT) != CURLUE_OK) {
    return make_error(Reason::bad_url, "no port: " + url);
  }
  out.port = std::atoi(port.p);
  if (curl_url_get(h.get(), CURLUPART_PATH, &path.p, 0) == CURLUE_OK && path.p) out.path = path.p;
  out.host_key = host_key(out.host, out.port);
  return out;
}

}  // namespace sluice
