#include "queue/dead_filter.h"

#include <algorithm>
#include <cctype>

namespace sluice {
namespace {

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// "http_5xx" (or "http_5XX") -> '5'; anything else -> 0.
char http_class_of(std::string_view reason) {
  if (reason.size() != 8 || reason.substr(0, 5) != "http_") return 0;
  char d = reason[5];
  if (!is_digit(d) || d == '0') return 0;
  for (char x : reason.substr(6)) {
    if (x != 'x' && x != 'X') return 0;
  }
  return d;
}

// The host_key prefix that every port of a host without port shares: "img.example:",
// "[::1]:" (a bare IPv6 literal is bracketed, as in host keys).
std::string port_prefix(const std::string& host) {
  if (host.front() != '[' && std::count(host.begin(), host.end(), ':') >= 2) {
    return "[" + host + "]:";
  }
  return host + ":";
}

}  // namespace

DeadMatch::DeadMatch(const DeadFilter& filter) : id_(filter.id) {
  http_class_ = http_class_of(filter.reason);
  if (http_class_ != 0) {
    from_ = std::string("http_") + http_class_ + "00";
    to_ = std::string("http_") + http_class_ + "99";
  } else if (!filter.reason.empty()) {
    exact_ = filter.reason;
    from_ = to_ = exact_;
  }
  if (!filter.host.empty()) {
    host_ = filter.host;
    host_lo_ = port_prefix(filter.host);
    host_hi_ = host_lo_;
    host_hi_.back() = ';';  // the character after ':': [lo, hi) is every key with prefix lo
  }
}

bool DeadMatch::past(std::string_view code) const { return !any_reason() && code > to_; }

bool DeadMatch::reason_matches(std::string_view code) const {
  if (!exact_.empty()) return code == exact_;
  if (http_class_ == 0) return true;
  return code.size() == 8 && code.substr(0, 5) == "http_" && code[5] == http_class_ &&
         is_digit(code[6]) && is_digit(code[7]);
}

bool DeadMatch::host_matches(std::string_view key) const {
  if (host_.empty() || key == host_) return true;
  return key >= host_lo_ && key < host_hi_;
}

bool DeadMatch::matches(const JobRecord& r) const {
  return r.state == JobState::dead && reason_matches(r.error_code) && host_matches(r.host_key) &&
         (id_.empty() || r.id == id_);
}

Status check_replay_filter(const DeadFilter& filter) {
  if (!filter.empty() || filter.all) return Status();
  return make_error(Reason::bad_input,
                    "replay needs a filter (reason, host or id) or all, so that a forgotten "
                    "flag does not replay every dead job");
}

}  // namespace sluice
