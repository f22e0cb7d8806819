// A local fault episode: the spool or a folder store cannot be written (disk full,
// read-only file system, permission lost, I/O error). Pure bookkeeping on the steady
// clock; the engine acts on it (engine_disk.cpp):
//
//   clear --fault--> paused --probe passes--> trying --a body or an object written--> clear
//                      ^                        |
//                      +--------fault-----------+
//
// paused: no transfer starts (in-flight ones finish); the spool is probed at growing
// intervals (probe_base_ms, doubled up to probe_cap_ms). trying: the probe passed, so one
// transfer at a time may go, to prove a real body can be written; its success ends the
// episode, another fault pauses again (the same episode: it is logged once). An episode
// that lasts wait_ms (--disk-wait) has expired: the engine stops the run.
//
// One thread (the engine's) owns it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/error.h"

namespace sluice {

class DiskPause {
 public:
  enum class State { clear, paused, trying };

  DiskPause(int64_t wait_ms, int64_t probe_base_ms, int64_t probe_cap_ms);

  // A local fault at now. true: it begins an episode (log it, once). Otherwise the
  // episode goes on: from trying it pauses again and the next probe waits longer.
  [[nodiscard]] bool fault(const Error& e, int64_t now);
  // The probe at now failed with e / passed.
  void probe_failed(const Error& e, int64_t now);
  void probe_passed();
  // A body or an object was written while nothing else is known to fail. true: this
  // ended the episode (it was trying), and episode_ms() says how long it lasted.
  [[nodiscard]] bool written(int64_t now);

  State state() const { return state_; }
  bool clear() const { return state_ == State::clear; }
  // Paused and the next probe is due.
  bool probe_due(int64_t now) const { return state_ == State::paused && now >= next_probe_; }
  // The episode has lasted wait_ms.
  bool expired(int64_t now) const { return state_ != State::clear && now - since_ >= wait_ms_; }
  // How many more transfers may start when in_flight are running: unlimited when clear,
  // one at a time when trying, none when paused.
  size_t fetch_budget(size_t in_flight) const;
  // The next time the state may change by the clock alone (a probe, expiry); INT64_MAX
  // when clear.
  int64_t next_wake_ms() const;
  int64_t next_probe_ms() const { return next_probe_; }

  const Error& first_cause() const { return first_; }  // what began the episode
  const Error& last_cause() const { return last_; }    // the latest fault or failed probe
  int64_t since_ms() const { return since_; }
  int64_t episode_ms() const { return episode_ms_; }  // of the episode written() ended
  int64_t wait_ms() const { return wait_ms_; }
  uint64_t episodes() const { return episodes_; }

 private:
  void schedule_probe(int64_t now);

  int64_t wait_ms_;
  int64_t probe_base_ms_;
  int64_t probe_cap_ms_;
  State state_ = State::clear;
  Error first_;
  Error last_;
  int64_t since_ = 0;
  int64_t next_probe_ = 0;
  int probes_failed_ = 0;  // in this episode: the probe delay doubles with each
  int64_t episode_ms_ = 0;
  uint64_t episodes_ = 0;
};

}  // namespace sluice
