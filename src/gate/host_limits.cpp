#include <algorithm>
#include <cctype>
#include <charconv>
#include <string_view>

#include "gate/gate.h"
#include "util/url.h"

namespace sluice {
namespace {

constexpr int kMaxCap = 1'000'000;

bool parse_int(std::string_view s, int lo, int hi, int* out) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < lo || v > hi) return false;
  *out = v;
  return true;
}

bool valid_name(std::string_view host) {
  return !host.empty() && std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_';
  });
}

bool valid_ipv6(std::string_view host) {
  return host.find(':') != std::string_view::npos &&
         std::all_of(host.begin(), host.end(),
                     [](unsigned char c) { return std::isxdigit(c) || c == ':' || c == '.'; });
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Splits "host", "host:port", "[v6]" or "[v6]:port". port is 0 when absent.
bool split_target(std::string_view target, std::string* host, int* port) {
  *port = 0;
  std::string_view rest;
  if (!target.empty() && target.front() == '[') {
    size_t close = target.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view h = target.substr(1, close - 1);
    if (!valid_ipv6(h)) return false;
    *host = lower(h);
    rest = target.substr(close + 1);
    if (rest.empty()) return true;
    if (rest.front() != ':') return false;
    return parse_int(rest.substr(1), 1, 65535, port);
  }
  size_t colon = target.find(':');
  if (colon != target.rfind(':')) return false;  // a bare IPv6 literal: needs brackets
  if (!valid_name(target.substr(0, colon))) return false;
  *host = lower(target.substr(0, colon));
  if (colon == std::string_view::npos) return true;
  return parse_int(target.substr(colon + 1), 1, 65535, port);
}

}  // namespace

Status HostLimits::add_rule(const std::string& spec) {
  auto bad = [&](const std::string& why) {
    return Status(make_error(Reason::bad_input, "limit '" + spec + "': " + why));
  };
  size_t eq = spec.rfind('=');
  if (eq == std::string::npos) return bad("expected host=N, host:port=N or [v6]:port=N");
  int cap = 0;
  if (!parse_int(std::string_view(spec).substr(eq + 1), 1, kMaxCap, &cap)) {
    return bad("the limit must be a whole number from 1 to " + std::to_string(kMaxCap));
  }
  std::string host;
  int port = 0;
  if (!split_target(std::string_view(spec).substr(0, eq), &host, &port)) {
    return bad("not a host, host:port or [IPv6]:port");
  }
  if (port == 0) {
    by_host_[host] = cap;
  } else {
    exact_[host_key(host, port)] = cap;
  }
  return {};
}

int HostLimits::cap_for(const std::string& key) const {
  // key is host_key()'s "host:port" ("[v6]:port"); a bare "v6:port" is read too.
  const std::string k = lower(key);
  std::string host = k;
  int port = 0;
  if (!k.empty() && k.front() == '[') {
    const size_t close = k.find(']');
    if (close != std::string::npos) {
      host = k.substr(1, close - 1);
      if (k.compare(close + 1, 1, ":") == 0) {
        parse_int(std::string_view(k).substr(close + 2), 1, 65535, &port);
      }
    }
  } else if (const size_t colon = k.rfind(':'); colon != std::string::npos) {
    host = k.substr(0, colon);
    parse_int(std::string_view(k).substr(colon + 1), 1, 65535, &port);
  }
  if (port != 0) {
    if (auto it = exact_.find(host_key(host, port)); it != exact_.end()) return it->second;
  }
  if (auto it = by_host_.find(host); it != by_host_.end()) return it->second;
  return default_cap_;
}

}  // namespace sluice
