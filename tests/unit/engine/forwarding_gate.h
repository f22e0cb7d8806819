// A Gate that forwards every call to another gate. A test derives from it and overrides
// only the calls it watches or bends (tracing maintain(), reporting slots lost), calling
// ForwardingGate's for the real work.
#pragma once

#include "gate/gate.h"

namespace sluice {

class ForwardingGate : public Gate {
 public:
  explicit ForwardingGate(Gate& inner) : inner_(inner) {}
  bool try_acquire(const std::string& h, int64_t now) override {
    return inner_.try_acquire(h, now);
  }
  void release(const std::string& h) override { inner_.release(h); }
  bool connection_opening(const std::string& h) override { return inner_.connection_opening(h); }
  void connection_closed(const std::string& h) override { inner_.connection_closed(h); }
  bool may_send(const std::string& h) override { return inner_.may_send(h); }
  void hold(const std::string& h, int64_t ttl) override { inner_.hold(h, ttl); }
  void feedback(const std::string& h, const Feedback& fb, int64_t now) override {
    inner_.feedback(h, fb, now);
  }
  int64_t paused_until_ms(const std::string& h, int64_t now) const override {
    return inner_.paused_until_ms(h, now);
  }
  int64_t next_admit_ms(const std::string& h, int64_t now) const override {
    return inner_.next_admit_ms(h, now);
  }
  HostHealth health(const std::string& h, int64_t now) const override {
    return inner_.health(h, now);
  }
  std::vector<std::string> maintain(int64_t now) override { return inner_.maintain(now); }

 private:
  Gate& inner_;
};

}  // namespace sluice
