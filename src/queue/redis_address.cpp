#include "queue/redis_address.h"

#include <curl/curl.h>

#include <cctype>
#include <memory>

#include "util/curl_url.h"

namespace sluice {
namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// A URL part, decoded; empty when absent.
std::string part(CURLU* u, CURLUPart which, unsigned flags) {
  CurlStr s;
  if (curl_url_get(u, which, &s.p, flags) != CURLUE_OK || !s.p) return "";
  return s.p;
}

// The URL with its credentials masked, for messages: parsing may fail on anything.
std::string masked(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  size_t auth_start = scheme_end + 3;
  size_t at = url.find('@', auth_start);
  size_t slash = url.find('/', auth_start);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return url;
  size_t colon = url.find(':', auth_start);
  std::string user = colon != std::string::npos && colon < at
                         ? url.substr(auth_start, colon - auth_start) + ":***"
                         : "***";
  return url.substr(0, auth_start) + user + url.substr(at);
}

Error bad(const std::string& url, const std::string& why) {
  std::string shown = masked(url);
  if (shown.size() > 200) shown = shown.substr(0, 200) + "...";
  return make_error(Reason::bad_input, "--queue " + shown + ": " + why);
}

}  // namespace

std::string RedisAddress::describe() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return "redis://" + h + ":" + std::to_string(port) + "/" + std::to_string(db);
}

bool is_redis_url(const std::string& spec) {
  return starts_with(spec, "redis://") || starts_with(spec, "rediss://");
}

std::string redact_queue_spec(const std::string& spec) { return masked(spec); }

Result<RedisAddress> parse_redis_url(const std::string& url) {
  if (starts_with(url, "rediss://")) {
    return bad(url,
               "rediss:// (Redis over TLS) is not supported: Debian 12's hiredis 0.14 has no TLS. "
               "Run a TLS tunnel on this machine (stunnel, or spiped) that forwards a local port "
               "to the Redis server, and use --queue redis://127.0.0.1:LOCAL_PORT");
  }
  if (!starts_with(url, "redis://")) return bad(url, "expected redis://host[:port][/db]");
  for (unsigned char c : url) {
    if (c < 0x20 || c == 0x7f) return bad(url, "control character in the URL");
  }
  CurlUrl u(curl_url());
  if (!u) return make_error(Reason::internal, "curl_url() failed");
  CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME);
  if (rc != CURLUE_OK) return bad(url, curl_url_strerror(rc));
  RedisAddress a;
  a.host = part(u.get(), CURLUPART_HOST, 0);
  if (a.host.size() > 2 && a.host.front() == '[' && a.host.back() == ']') {
    a.host = a.host.substr(1, a.host.size() - 2);
  }
  if (a.host.empty()) return bad(url, "no host");
  std::string port = part(u.get(), CURLUPART_PORT, 0);
  if (!port.empty()) a.port = std::stoi(port);  // curl checked it is a number in range
  a.user = part(u.get(), CURLUPART_USER, CURLU_URLDECODE);
  a.password = part(u.get(), CURLUPART_PASSWORD, CURLU_URLDECODE);
  if (!a.user.empty() && a.password.empty()) {
    return bad(url,
               "a user without a password; write redis://user:password@host, or "
               "redis://:password@host for a password alone");
  }
  std::string path = part(u.get(), CURLUPART_PATH, 0);
  if (path.size() > 1) {
    std::string db = path.substr(1);
    bool digits = db.size() <= 5 && !db.empty();
    for (char c : db) digits = digits && std::isdigit(static_cast<unsigned char>(c));
    if (!digits) return bad(url, "the path must be a database number, as in redis://host:6379/0");
    a.db = std::stoi(db);
  }
  if (!part(u.get(), CURLUPART_QUERY, 0).empty() || !part(u.get(), CURLUPART_FRAGMENT, 0).empty()) {
    return bad(url, "no query or fragment is understood; expected redis://host[:port][/db]");
  }
  return a;
}

}  // namespace sluice
