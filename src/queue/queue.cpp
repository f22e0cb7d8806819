#include "queue/queue.h"

namespace sluice {

const char* state_name(JobState s) {
  switch (s) {
    case JobState::queued:
      return "queued";
    case JobState::leased:
      return "leased";
    case JobState::done:
      return "done";
    case JobState::dead:
      return "dead";
  }
  return "queued";
}

uint64_t& StateCounts::of(JobState s) {
  switch (s) {
    case JobState::queued:
      return queued;
    case JobState::leased:
      return leased;
    case JobState::done:
      return done;
    case JobState::dead:
      return dead;
  }
  return queued;
}

}  // namespace sluice
