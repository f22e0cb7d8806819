// The heartbeat file beside the queue file (<queue>.run): which hosts a run may have
// requests running at, and which slots it holds for requests it cut. Written by `sluice
// run` every second; read by the next run, which holds those slots on until the provider
// can no longer be serving the requests (--abandon-hold after they were cut).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "engine/heartbeat.h"
#include "util/logger.h"

namespace sluice {

std::string run_record_path(const std::string& queue_file);

// Writes the heartbeat atomically (temp + rename); a heartbeat with no busy host and no
// held slot removes the file. Failures are logged, never fatal: the file is a safety
// margin, not the queue.
void write_run_record(const std::string& path, const Heartbeat& hb, Logger& log);

// The last heartbeat as JSON (null when there is none), for `sluice status`.
nlohmann::json read_run_status(const std::string& path);

// Holds from an earlier run's last heartbeat. A run that stopped without a final beat
// (crashed, killed) cut every request it had when it died, at most interval_ms after its
// last beat: its busy hosts are held at their cap until at + interval + hold, where hold
// is the longer of its --abandon-hold and this run's (abandon_hold_ms). Slots it held
// for cut requests stay held until their time. With grace_ms, nothing is held longer
// than grace_ms from now.
std::map<std::string, SlotHold> read_run_record(const std::string& path, int64_t now_ms,
                                                int64_t interval_ms, int64_t abandon_hold_ms,
                                                std::optional<int64_t> grace_ms, Logger& log);

}  // namespace sluice
