// The heartbeat file beside the queue file (<queue>.run): which hosts a run may have
// requests running at, and until when. Written by `sluice run` every second; read by the
// next run after a crash, which holds those slots until the requests cannot be running.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "engine/heartbeat.h"
#include "util/logger.h"

namespace sluice {

std::string run_record_path(const std::string& queue_file);

// Writes the heartbeat atomically (temp + rename); a heartbeat with no busy host removes
// the file. Failures are logged, never fatal: the file is a safety margin, not the queue.
void write_run_record(const std::string& path, const Heartbeat& hb, Logger& log);

// The last heartbeat as JSON (null when there is none), for `sluice status`.
nlohmann::json read_run_status(const std::string& path);

// Holds from a dead run's last heartbeat: its busy hosts stay held until
// at + interval + request deadline, or, with grace_ms, at most grace_ms from now.
std::map<std::string, SlotHold> read_run_record(const std::string& path, int64_t now_ms,
                                                int64_t interval_ms,
                                                std::optional<int64_t> grace_ms, Logger& log);

}  // namespace sluice
