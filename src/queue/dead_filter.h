// How a DeadFilter reads, shared by every Queue backend so they select the same dead jobs.
#pragma once

#include <string>
#include <string_view>

#include "queue/queue.h"

namespace sluice {

// A DeadFilter taken apart once, before a backend walks the dead jobs.
class DeadMatch {
 public:
  explicit DeadMatch(const DeadFilter& filter);

  // The reason part. A backend visits the error codes of dead jobs in order, from
  // first_reason() on, while !past(code), and takes those with reason_matches(code).
  bool any_reason() const { return exact_.empty() && http_class_ == 0; }
  const std::string& exact_reason() const { return exact_; }  // set: only this code
  const std::string& first_reason() const { return from_; }
  bool past(std::string_view code) const;
  bool reason_matches(std::string_view code) const;

  // The host part: host_key == host(), or host_lo() <= host_key < host_hi() (a host
  // without port: every port). host() is empty when any host matches.
  const std::string& host() const { return host_; }
  const std::string& host_lo() const { return host_lo_; }
  const std::string& host_hi() const { return host_hi_; }
  bool host_matches(std::string_view host_key) const;

  const std::string& id() const { return id_; }

  // The whole filter, on any record: dead, and every set field matches.
  bool matches(const JobRecord& r) const;

 private:
  std::string exact_;
  char http_class_ = 0;  // '5' for http_5xx
  std::string from_, to_;
  std::string host_, host_lo_, host_hi_;
  std::string id_;
};

// bad_input unless the filter names something or sets all (replay's safety latch).
Status check_replay_filter(const DeadFilter& filter);

}  // namespace sluice
