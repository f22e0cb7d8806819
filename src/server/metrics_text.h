// GET /metrics: a ServerSnapshot in the Prometheus text exposition format (version
// 0.0.4), named by Prometheus's rules: a sluice_ prefix, base units (seconds, bytes) as
// suffixes, _total on counters, label values escaped. `promtool check metrics` passes it.
//
//   sluice_jobs{state}                       gauge: jobs in the queue by state
//   sluice_host_jobs{host,state}             gauge: the same per host
//   sluice_dead_letters{reason}              gauge: dead jobs by reason code
//   sluice_oldest_ready_job_age_seconds      gauge: how long the oldest ready job waits
//   sluice_fetches_total{host,outcome}       counter: outcome "ok" or a reason code
//   sluice_fetch_duration_seconds{host}      histogram of finished fetches
//   sluice_fetched_bytes_total{host}         counter; sluice_stored_bytes_total{host}
//   sluice_retries_total{reason}             counter: charged retries
//   sluice_dead_lettered_total{reason}       counter: dead-lettered by this process
//   sluice_in_flight_requests{host}          gauge, and _max (the high-water mark)
//   sluice_open_connections{host}            gauge, and _max
//   sluice_connection_cap{host}              gauge; sluice_effective_connection_cap{host}
//   sluice_circuit_state{host,state}         gauge: 1 for the host's current state
//   sluice_circuit_opens_total{host}         counter; sluice_fence_refusals_total{host}
//   sluice_slow_downs_total{host}            counter
//   sluice_stopping                          gauge: 1 once the run is stopping
#pragma once

#include <string>

#include "server/snapshot.h"

namespace sluice {

std::string render_metrics(const ServerSnapshot& s);

// A label value as the text format wants it: backslash, double quote and line feed
// escaped; bytes that are not UTF-8 pass through unchanged (Prometheus replaces them).
std::string escape_label_value(const std::string& v);

}  // namespace sluice
