// What a run tells the world every second, so that the next run after a crash knows
// which hosts may still be serving its requests (design.md: a restarted worker treats
// a dead worker's slots as occupied until those requests can no longer be running).
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace sluice {

// Slots of a host held back because the provider may still be serving requests that
// were cut (by sluice, or by a crash).
struct SlotHold {
  int slots = 0;
  int64_t until_ms = 0;  // wall clock
};

struct Heartbeat {
  int64_t at_ms = 0;                // wall clock
  int64_t abandon_hold_ms = 0;      // --abandon-hold: how long a cut request keeps its slot
  std::map<std::string, int> busy;  // host -> slots that may be in use (its cap)
  // Slots held now for cut requests (this run's, or a crashed run's it carries on).
  std::map<std::string, SlotHold> holds;
  std::map<std::string, uint64_t> holds_taken;  // holds since this run began, by host
  // Hosts whose circuit is not closed: host -> "open (http_403), next probe at <ms>".
  std::map<std::string, std::string> circuits;
  bool final = false;  // the run's last heartbeat: it ended (holds may outlive it)
  uint64_t done = 0, dead = 0, in_flight = 0;  // this run's progress, for `status`
};

}  // namespace sluice
