#include "server/listen.h"

#include <arpa/inet.h>
#include <openssl/crypto.h>

#include <charconv>

#include "util/sha256.h"
#include "util/text.h"

namespace sluice {
namespace {

std::string shown(std::string_view s) {
  constexpr size_t kMax = 100;
  return "\"" + std::string(s.substr(0, kMax)) + (s.size() > kMax ? "...\"" : "\"");
}

}  // namespace

std::string ListenAddress::to_string() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<ListenAddress> parse_listen(std::string_view spec) {
  auto bad = [&](const std::string& why) {
    return make_error(Reason::bad_input, "--listen " + shown(spec) + ": " + why +
                                             " (expected ADDR:PORT, e.g. 127.0.0.1:8080)");
  };
  size_t colon = spec.rfind(':');
  if (colon == std::string_view::npos) return bad("no port");
  std::string_view host = spec.substr(0, colon);
  std::string_view port = spec.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad("an IPv6 address needs brackets");
  }
  int p = -1;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || p < 0 || p > 65535) {
    return bad("port is not a number from 0 to 65535");
  }
  ListenAddress a;
  a.host = host.empty() ? "127.0.0.1" : std::string(host);
  a.port = p;
  return a;
}

bool is_loopback_host(std::string_view host) {
  if (iequals(host, "localhost")) return true;
  std::string h(host);
  in_addr v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

Status check_exposure(const ListenAddress& address, const std::string& token) {
  if (is_loopback_host(address.host) || !token.empty()) return Status();
  return make_error(Reason::bad_input,
                    "--listen " + address.to_string() +
                        " is reachable from other machines: give --token (or SLUICE_TOKEN) "
                        "so that only holders of the token can enqueue and replay, or bind to "
                        "127.0.0.1");
}

BearerToken::BearerToken(std::string token)
    : digest_(token.empty() ? std::string() : sha256_hex(token)) {}

bool BearerToken::accepts(std::string_view authorization) const {
  if (digest_.empty()) return true;
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() < kScheme.size() ||
      !iequals(authorization.substr(0, kScheme.size()), kScheme)) {
    return false;
  }
  std::string given = sha256_hex(trim_header(authorization.substr(kScheme.size())));
  return CRYPTO_memcmp(given.data(), digest_.data(), digest_.size()) == 0;
}

}  // namespace sluice
