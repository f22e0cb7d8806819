#include "gate/gate_event.h"

#include <cstdio>

namespace sluice {
namespace {

std::string seconds(int64_t ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

}  // namespace

std::string_view event_kind_name(GateEvent::Kind k) {
  switch (k) {
    case GateEvent::Kind::circuit_opened:
      return "circuit_opened";
    case GateEvent::Kind::circuit_closed:
      return "circuit_closed";
    case GateEvent::Kind::probe_failed:
      return "probe_failed";
    case GateEvent::Kind::slowed_down:
      return "slowed_down";
  }
  return "unknown";
}

std::string GateEvent::describe() const {
  switch (kind) {
    case Kind::circuit_opened:
      return "circuit opened for " + host + ": " + std::to_string(failures) + " of the last " +
             std::to_string(window) + " requests failed alike (" + signature +
             "); no requests until a probe in " + seconds(next_probe_ms - at_ms);
    case Kind::circuit_closed:
      return "circuit closed for " + host + " after " + seconds(after_ms) +
             ": the probe succeeded; concurrency restarts at " + std::to_string(effective_cap);
    case Kind::probe_failed:
      return "probe to " + host + " failed (" + signature +
             "); circuit stays open, next probe in " + seconds(next_probe_ms - at_ms);
    case Kind::slowed_down:
      return "slowing down " + host + ": concurrency cut to " + std::to_string(effective_cap) +
             (paused_until_ms > at_ms ? ", paused for " + seconds(paused_until_ms - at_ms) : "");
  }
  return "gate event for " + host;
}

}  // namespace sluice
