// Forwards the fetcher's socket events to the gate, so neither knows the other.
#pragma once

#include "fetch/fetcher.h"
#include "gate/gate.h"

namespace sluice {

class GateObserver final : public ConnectionObserver {
 public:
  explicit GateObserver(Gate& gate) : gate_(gate) {}
  bool connection_opening(const std::string& host_key) override {
    return gate_.connection_opening(host_key);
  }
  void connection_closed(const std::string& host_key) override {
    gate_.connection_closed(host_key);
  }
  bool may_send(const std::string& host_key) override { return gate_.may_send(host_key); }

 private:
  Gate& gate_;
};

}  // namespace sluice
