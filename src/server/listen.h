// Where `sluice serve` listens, and who may talk to it: an ADDR:PORT to bind, and the
// bearer token that every endpoint but /healthz demands when one is set.
// Binding beyond loopback without a token is refused (design.md "Security").
#pragma once

#include <string>
#include <string_view>

#include "util/error.h"

namespace sluice {

struct ListenAddress {
  std::string host;  // an IPv4 or IPv6 literal or a name, without brackets
  int port = 0;      // 0: any free port

  std::string to_string() const;  // "127.0.0.1:8080", "[::1]:8080"
};

// "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:80", "localhost:0", ":8080" (loopback).
// bad_input naming the value (cut to 100 bytes) when it does not read.
Result<ListenAddress> parse_listen(std::string_view spec);

// True for 127.0.0.0/8, ::1 and "localhost": addresses only this machine can reach.
bool is_loopback_host(std::string_view host);

// bad_input when the address is not loopback and token is empty: anyone on the network
// could then enqueue and replay.
Status check_exposure(const ListenAddress& address, const std::string& token);

// A bearer token compared in constant time: the time a wrong guess takes says nothing
// about how much of it was right.
class BearerToken {
 public:
  explicit BearerToken(std::string token);

  bool required() const { return !digest_.empty(); }
  // True when no token is required, or authorization is "Bearer <the token>" (the scheme
  // is case-insensitive, as RFC 7235 says).
  bool accepts(std::string_view authorization) const;

 private:
  std::string digest_;  // sha256 of the token (fixed length, so one CRYPTO_memcmp); "" if none
};

}  // namespace sluice
