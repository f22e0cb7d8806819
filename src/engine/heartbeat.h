// What a run tells the world every second, so that the next run after a crash knows
// which hosts may still be serving its requests (design.md: a restarted worker treats
// a dead worker's slots as occupied until those requests can no longer be running).
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace sluice {

struct Heartbeat {
  int64_t at_ms = 0;                // wall clock
  int64_t request_deadline_ms = 0;  // the longest a request may run (total timeout)
  std::map<std::string, int> busy;  // host -> slots that may be in use (its cap)
  // Hosts whose circuit is not closed: host -> "open (http_403), next probe at <ms>".
  std::map<std::string, std::string> circuits;
  uint64_t done = 0, dead = 0, in_flight = 0;  // this run's progress, for `status`
};

// Slots of a host held back because an earlier run may still be using them.
struct SlotHold {
  int slots = 0;
  int64_t until_ms = 0;  // wall clock
};

}  // namespace sluice
