#include "server/status_json.h"

#include <algorithm>

namespace sluice {
namespace {

using nlohmann::json;

json counts(const StateCounts& c) {
  return {{"queued", c.queued},
          {"leased", c.leased},
          {"done", c.done},
          {"dead", c.dead},
          {"total", c.total()}};
}

template <typename T>
json optional_number(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json host_json(const ServerSnapshot& s, const std::string& host, int cap) {
  json h;
  auto q = s.queue.by_host.find(host);
  h["jobs"] = counts(q == s.queue.by_host.end() ? StateCounts{} : q->second);
  h["cap"] = cap;
  auto g = s.gate.find(host);
  HostGateState st = g == s.gate.end() ? HostGateState{} : g->second;
  if (g == s.gate.end()) st.effective_cap = cap;
  h["effective_cap"] = st.effective_cap;
  h["in_flight"] = st.in_flight;
  h["open_connections"] = st.open_connections;
  h["max_in_flight"] = st.max_in_flight;
  h["max_open_connections"] = st.max_open_connections;
  h["circuit"] = std::string(circuit_name(st.circuit));
  h["circuit_signature"] = st.signature;
  h["next_probe_in_seconds"] =
      st.circuit == CircuitState::closed
          ? json(nullptr)
          : json(std::max<int64_t>(0, st.next_probe_ms - s.at_ms) / 1000.0);
  auto r = s.run.hosts.find(host);
  h["fetches"] = r == s.run.hosts.end() ? json::object() : json(r->second.outcomes);
  return h;
}

}  // namespace

json status_json(const ServerSnapshot& s) {
  json j;
  j["at_ms"] = s.at_ms;
  j["stopping"] = s.stopping;
  j["jobs"] = counts(s.queue.all);
  uint64_t total = s.queue.all.total();
  uint64_t finished = s.queue.all.done + s.queue.all.dead;
  j["progress"] = {{"finished", finished},
                   {"total", total},
                   {"percent", total ? 100.0 * finished / total : 100.0}};
  j["rates"] = {{"jobs_per_s", s.rates.jobs_per_s},
                {"bytes_per_s", s.rates.bytes_per_s},
                {"window_s", s.rates.window_s}};
  j["eta_seconds"] = optional_number(s.eta_seconds);
  j["oldest_ready_age_seconds"] = optional_number(s.oldest_ready_age_seconds);
  j["hosts"] = json::object();
  for (const auto& [host, cap] : s.caps) j["hosts"][host] = host_json(s, host, cap);
  j["dead_by_reason"] = s.queue.dead_by_reason;
  j["run"] = {{"stored", s.run.stored},
              {"dead", s.run.dead_total},
              {"retried", s.run.retried},
              {"bytes_stored", s.run.bytes_stored},
              {"retries", s.run.retries}};
  return j;
}

json series_json(const std::vector<SeriesPoint>& points, int64_t now_ms) {
  json out = json::array();
  for (const SeriesPoint& p : points) {
    json hosts = json::object();
    for (const auto& [host, h] : p.hosts) {
      hosts[host] = {{"in_flight", h.in_flight},
                     {"open", h.open},
                     {"cap", h.cap},
                     {"effective_cap", h.effective_cap}};
    }
    out.push_back(
        {{"t_ms", p.t_ms}, {"finished", p.finished}, {"bytes", p.bytes}, {"hosts", hosts}});
  }
  return {{"now_ms", now_ms}, {"points", out}};
}

}  // namespace sluice
