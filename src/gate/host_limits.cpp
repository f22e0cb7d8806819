#include "gate/host_limits.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <string_view>

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

// Splits a rule into its target and its value: "target=value".
bool split_rule(const std::string& spec, std::string* host, int* port, std::string_view* value) {
  const size_t eq = spec.rfind('=');
  if (eq == std::string::npos) return false;
  *value = std::string_view(spec).substr(eq + 1);
  return split_target(std::string_view(spec).substr(0, eq), host, port);
}

// A rate: digits with at most one '.', optionally followed by "/s".
bool parse_rate(std::string_view s, double* out) {
  if (s.size() >= 2 && s.substr(s.size() - 2) == "/s") s.remove_suffix(2);
  if (s.empty() || std::count(s.begin(), s.end(), '.') > 1 ||
      !std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; }) ||
      !std::any_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return false;
  v = std::round(v * 1000) / 1000;  // a thousandth of a request per second
  if (!(v >= HostLimits::kMinRate && v <= HostLimits::kMaxRate)) return false;
  *out = v;
  return true;
}

// Reads host_key()'s "host:port" ("[v6]:port"; a bare "v6:port" too). port 0: none.
void split_key(const std::string& key, std::string* host, int* port) {
  const std::string k = lower(key);
  *host = k;
  *port = 0;
  if (!k.empty() && k.front() == '[') {
    const size_t close = k.find(']');
    if (close != std::string::npos) {
      *host = k.substr(1, close - 1);
      if (k.compare(close + 1, 1, ":") == 0) {
        parse_int(std::string_view(k).substr(close + 2), 1, 65535, port);
      }
    }
  } else if (const size_t colon = k.rfind(':'); colon != std::string::npos) {
    *host = k.substr(0, colon);
    parse_int(std::string_view(k).substr(colon + 1), 1, 65535, port);
  }
}

template <typename T>
T lookup(const std::map<std::string, T>& exact, const std::map<std::string, T>& by_host,
         const std::string& key, T fallback) {
  std::string host;
  int port = 0;
  split_key(key, &host, &port);
  if (port != 0) {
    if (auto it = exact.find(host_key(host, port)); it != exact.end()) return it->second;
  }
  if (auto it = by_host.find(host); it != by_host.end()) return it->second;
  return fallback;
}

Status bad_rule(const std::string& flag_form, const std::string& spec, const std::string& why) {
  return Status(make_error(Reason::bad_input, flag_form + " '" + spec + "': " + why));
}

}  // namespace

Status HostLimits::add_rule(const std::string& spec) {
  std::string host;
  int port = 0;
  std::string_view value;
  if (spec.find('=') == std::string::npos) {
    return bad_rule("limit", spec, "expected host=N, host:port=N or [v6]:port=N");
  }
  int cap = 0;
  const bool target_ok = split_rule(spec, &host, &port, &value);
  if (!parse_int(value, 1, kMaxCap, &cap)) {
    return bad_rule("limit", spec,
                    "the limit must be a whole number from 1 to " + std::to_string(kMaxCap));
  }
  if (!target_ok) return bad_rule("limit", spec, "not a host, host:port or [IPv6]:port");
  if (port == 0) {
    by_host_[host] = cap;
  } else {
    exact_[host_key(host, port)] = cap;
  }
  return {};
}

Status HostLimits::add_rate_rule(const std::string& spec) {
  std::string host;
  int port = 0;
  std::string_view value;
  if (spec.find('=') == std::string::npos) {
    return bad_rule("rate", spec, "expected host=R, host:port=R or [v6]:port=R");
  }
  double rate = 0;
  const bool target_ok = split_rule(spec, &host, &port, &value);
  if (!parse_rate(value, &rate)) {
    return bad_rule("rate", spec,
                    "the rate must be requests per second from 0.001 to 1000000, "
                    "like 2, 0.5 or 2.5/s");
  }
  if (!target_ok) return bad_rule("rate", spec, "not a host, host:port or [IPv6]:port");
  if (port == 0) {
    rate_by_host_[host] = rate;
  } else {
    rate_exact_[host_key(host, port)] = rate;
  }
  return {};
}

int HostLimits::cap_for(const std::string& key) const {
  return lookup(exact_, by_host_, key, default_cap_);
}

double HostLimits::rate_for(const std::string& key) const {
  return lookup(rate_exact_, rate_by_host_, key, default_rate_);
}

}  // namespace sluice
