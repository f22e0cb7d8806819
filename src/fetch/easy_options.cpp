#include "fetch/easy_options.h"

#include <string>

namespace sluice {
namespace {

// Collects the first failing setopt so a whole block can be checked once.
class Setter {
 public:
  explicit Setter(CURL* easy) : easy_(easy) {}
  template <typename T>
  Setter& set(CURLoption opt, T value, const char* name) {
    if (failed_ == nullptr && curl_easy_setopt(easy_, opt, value) != CURLE_OK) failed_ = name;
    return *this;
  }
  Status status() const {
    if (failed_ == nullptr) return {};
    return make_error(Reason::internal, std::string("libcurl refused option ") + failed_);
  }

 private:
  CURL* easy_;
  const char* failed_ = nullptr;
};

}  // namespace

Status configure_easy(CURL* easy, const FetchOptions& o) {
  Setter s(easy);
  s.set(CURLOPT_NOSIGNAL, 1L, "NOSIGNAL")
      .set(CURLOPT_PROTOCOLS_STR, "http,https", "PROTOCOLS_STR")
      .set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https", "REDIR_PROTOCOLS_STR")
      // Redirects are followed by Transfer, hop by hop, so each hop is checked again and
      // its connections are attributed to the host actually connected.
      .set(CURLOPT_FOLLOWLOCATION, 0L, "FOLLOWLOCATION")
      .set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1), "HTTP_VERSION")
      .set(CURLOPT_SSL_VERIFYPEER, 1L, "SSL_VERIFYPEER")
      .set(CURLOPT_SSL_VERIFYHOST, 2L, "SSL_VERIFYHOST")
      .set(CURLOPT_CONNECTTIMEOUT_MS, o.connect_timeout_ms, "CONNECTTIMEOUT_MS")
      .set(CURLOPT_LOW_SPEED_LIMIT, o.low_speed_bytes, "LOW_SPEED_LIMIT")
      .set(CURLOPT_LOW_SPEED_TIME, o.low_speed_seconds, "LOW_SPEED_TIME")
      .set(CURLOPT_USERAGENT, o.user_agent.c_str(), "USERAGENT")
      // No Accept-Encoding and no decoding: we store the bytes as served.
      .set(CURLOPT_ACCEPT_ENCODING, static_cast<const char*>(nullptr), "ACCEPT_ENCODING")
      // The cap and the address policy are about the connection to the provider itself;
      // an http_proxy from the environment would put a proxy in between.
      .set(CURLOPT_PROXY, "", "PROXY")
      .set(CURLOPT_TCP_KEEPALIVE, 1L, "TCP_KEEPALIVE");
  return s.status();
}

Status configure_multi(CURLM* multi, const FetchOptions& o) {
  if (curl_multi_setopt(multi, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_NOTHING)) !=
      CURLM_OK) {
    return make_error(Reason::internal, "libcurl refused CURLMOPT_PIPELINING");
  }
  if (o.max_idle_connections > 0 &&
      curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, o.max_idle_connections) != CURLM_OK) {
    return make_error(Reason::internal, "libcurl refused CURLMOPT_MAXCONNECTS");
  }
  return {};
}

}  // namespace sluice
