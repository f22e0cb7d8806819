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

const char* kind_name(Transition::Kind k) {
  switch (k) {
    case Transition::Kind::complete:
      return "complete";
    case Transition::Kind::retry:
      return "retry";
    case Transition::Kind::bury:
      return "bury";
    case Transition::Kind::release:
      return "release";
    case Transition::Kind::defer:
      return "defer";
  }
  return "release";
}

const char* stale_reason_name(StaleReason r) {
  switch (r) {
    case StaleReason::no_such_job:
      return "no_such_job";
    case StaleReason::twice_in_batch:
      return "twice_in_batch";
    case StaleReason::not_leased:
      return "not_leased";
    case StaleReason::leased_by_other:
      return "leased_by_other";
  }
  return "not_leased";
}

RejectedTransition make_rejection(const Transition& t, StaleReason reason, JobState state,
                                  const std::string& owner, const std::string& holder) {
  std::string why;
  switch (reason) {
    case StaleReason::no_such_job:
      why = "there is no such job";
      break;
    case StaleReason::twice_in_batch:
      why = "the batch names it twice";
      break;
    case StaleReason::not_leased:
      why = std::string("it is ") + state_name(state) + " (its lease was reclaimed)";
      break;
    case StaleReason::leased_by_other:
      why = "it is leased by " + holder + " (its lease was reclaimed)";
      break;
  }
  std::string detail = "seq " + std::to_string(t.seq) + " (" + kind_name(t.kind) +
                       ") is not leased by " + owner + ": " + why;
  return RejectedTransition{t.seq, t.kind, reason, std::move(detail)};
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
