// The JSON documents of the API that show state: GET /api/status (a ServerSnapshot) and
// GET /api/series (the sampled history). Pure functions; strings that came from third
// parties (hosts, reasons) are kept as they are, invalid UTF-8 replaced when dumped.
//
// /api/status:
//   {"at_ms", "stopping", "jobs": {queued, leased, done, dead, total},
//    "progress": {"finished", "total", "percent"},   // done + dead of every job in the queue
//    "rates": {"jobs_per_s", "bytes_per_s", "window_s"}, "eta_seconds": s | null,
//    "oldest_ready_age_seconds": s | null,
//    "hosts": {HOST: {"jobs": {...}, "cap", "effective_cap", "in_flight",
//              "open_connections", "max_in_flight", "max_open_connections",
//              "circuit": "closed"|"open"|"half_open", "circuit_signature",
//              "next_probe_in_seconds", "fetches": {OUTCOME: n}}},
//    "dead_by_reason": {REASON: n},
//    "run": {"stored", "dead", "retried", "bytes_stored", "retries": {REASON: n}}}
// /api/series: {"now_ms", "points": [{"t_ms", "finished", "bytes",
//               "hosts": {HOST: {"in_flight", "open", "cap", "effective_cap"}}}]}
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "server/series.h"
#include "server/snapshot.h"

namespace sluice {

nlohmann::json status_json(const ServerSnapshot& s);
nlohmann::json series_json(const std::vector<SeriesPoint>& points, int64_t now_ms);

}  // namespace sluice
