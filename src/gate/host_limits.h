// Per-host limits from the command line: the hard cap on simultaneous requests and
// connections (--limit) and an optional request rate (requests per second).
#pragma once

#include <map>
#include <string>

#include "util/error.h"

namespace sluice {

// A rule names "host" (any port), "host:port" or "[v6]" / "[v6]:port"; host names are
// case-insensitive. An exact host:port rule wins over a host rule; a later rule for the
// same target replaces the earlier one. A failed add_*_rule changes nothing.
class HostLimits {
 public:
  static constexpr double kMinRate = 0.001;  // requests per second
  static constexpr double kMaxRate = 1'000'000;

  explicit HostLimits(int default_cap = 20) : default_cap_(default_cap) {}

  // "host=N" or "host:port=N", N a whole number from 1; bad_input otherwise.
  Status add_rule(const std::string& spec);
  void set_default(int cap) { default_cap_ = cap; }
  int default_cap() const { return default_cap_; }
  int cap_for(const std::string& host_key) const;  // host_key is "host:port"

  // "host=R" or "host:port=R", R requests per second: "2", "0.5", "2.5/s"; from kMinRate
  // to kMaxRate, kept to a thousandth. bad_input otherwise.
  Status add_rate_rule(const std::string& spec);
  // The rate for hosts without a rule; 0 (the default): none. Values <= 0 mean none.
  void set_default_rate(double rate) { default_rate_ = rate > 0 ? rate : 0; }
  double default_rate() const { return default_rate_; }
  // Requests per second allowed to host_key; 0: no rate cap.
  double rate_for(const std::string& host_key) const;

 private:
  int default_cap_;
  double default_rate_ = 0;
  std::map<std::string, int> exact_;    // "host:port"
  std::map<std::string, int> by_host_;  // "host"
  std::map<std::string, double> rate_exact_;
  std::map<std::string, double> rate_by_host_;
};

}  // namespace sluice
