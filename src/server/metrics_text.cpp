#include "server/metrics_text.h"

#include <charconv>
#include <cmath>
#include <initializer_list>
#include <utility>

namespace sluice {
namespace {

using Labels = std::initializer_list<std::pair<const char*, std::string>>;

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : "NaN";
}

// Writes families: a HELP and TYPE line, then samples.
class Writer {
 public:
  void family(const char* name, const char* type, const char* help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  void sample(const std::string& name, Labels labels, double value) {
    out_ += name;
    if (labels.size() > 0) {
      out_ += '{';
      bool first = true;
      for (const auto& [k, v] : labels) {
        if (!first) out_ += ',';
        first = false;
        out_ += k;
        out_ += "=\"";
        out_ += escape_label_value(v);
        out_ += '"';
      }
      out_ += '}';
    }
    out_ += ' ';
    out_ += number(value);
    out_ += '\n';
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

const std::pair<const char*, uint64_t StateCounts::*> kStates[] = {
    {"queued", &StateCounts::queued},
    {"leased", &StateCounts::leased},
    {"done", &StateCounts::done},
    {"dead", &StateCounts::dead},
};

void queue_families(Writer& w, const ServerSnapshot& s) {
  w.family("sluice_jobs", "gauge", "Jobs in the queue by state.");
  for (const auto& [state, field] : kStates) {
    w.sample("sluice_jobs", {{"state", state}}, static_cast<double>(s.queue.all.*field));
  }
  w.family("sluice_host_jobs", "gauge", "Jobs in the queue by host and state.");
  for (const auto& [host, c] : s.queue.by_host) {
    for (const auto& [state, field] : kStates) {
      w.sample("sluice_host_jobs", {{"host", host}, {"state", state}},
               static_cast<double>(c.*field));
    }
  }
  w.family("sluice_dead_letters", "gauge", "Dead jobs in the queue by reason code.");
  for (const auto& [reason, n] : s.queue.dead_by_reason) {
    w.sample("sluice_dead_letters", {{"reason", reason}}, static_cast<double>(n));
  }
  w.family("sluice_oldest_ready_job_age_seconds", "gauge",
           "How long the oldest job ready to run has waited (0 when none is ready).");
  w.sample("sluice_oldest_ready_job_age_seconds", {}, s.oldest_ready_age_seconds.value_or(0));
}

void run_families(Writer& w, const ServerSnapshot& s) {
  w.family("sluice_fetches_total", "counter",
           "Finished fetches by host and outcome (ok or a reason code).");
  for (const auto& [host, h] : s.run.hosts) {
    for (const auto& [outcome, n] : h.outcomes) {
      w.sample("sluice_fetches_total", {{"host", host}, {"outcome", outcome}},
               static_cast<double>(n));
    }
  }
  w.family("sluice_fetch_duration_seconds", "histogram",
           "Time from the start of a fetch to its end, per host.");
  for (const auto& [host, h] : s.run.hosts) {
    const Histogram& d = h.duration;
    std::vector<uint64_t> cum = d.cumulative();
    for (size_t i = 0; i < cum.size(); ++i) {
      w.sample("sluice_fetch_duration_seconds_bucket",
               {{"host", host}, {"le", number(d.bounds()[i])}}, static_cast<double>(cum[i]));
    }
    w.sample("sluice_fetch_duration_seconds_bucket", {{"host", host}, {"le", "+Inf"}},
             static_cast<double>(d.count()));
    w.sample("sluice_fetch_duration_seconds_sum", {{"host", host}}, d.sum());
    w.sample("sluice_fetch_duration_seconds_count", {{"host", host}},
             static_cast<double>(d.count()));
  }
  w.family("sluice_fetched_bytes_total", "counter", "Body bytes received, per host.");
  for (const auto& [host, h] : s.run.hosts) {
    w.sample("sluice_fetched_bytes_total", {{"host", host}}, static_cast<double>(h.bytes_fetched));
  }
  w.family("sluice_stored_bytes_total", "counter", "Bytes of objects stored, per host.");
  for (const auto& [host, h] : s.run.hosts) {
    w.sample("sluice_stored_bytes_total", {{"host", host}}, static_cast<double>(h.bytes_stored));
  }
  w.family("sluice_retries_total", "counter", "Failed attempts scheduled again, by reason code.");
  for (const auto& [reason, n] : s.run.retries) {
    w.sample("sluice_retries_total", {{"reason", reason}}, static_cast<double>(n));
  }
  w.family("sluice_dead_lettered_total", "counter",
           "Jobs this process dead-lettered, by reason code.");
  for (const auto& [reason, n] : s.run.dead) {
    w.sample("sluice_dead_lettered_total", {{"reason", reason}}, static_cast<double>(n));
  }
}

void gate_families(Writer& w, const ServerSnapshot& s) {
  struct Gauge {
    const char* name;
    const char* help;
    int HostGateState::*field;
  };
  const Gauge gauges[] = {
      {"sluice_in_flight_requests", "Requests to the host in flight now.",
       &HostGateState::in_flight},
      {"sluice_in_flight_requests_max", "The most requests in flight to the host at once.",
       &HostGateState::max_in_flight},
      {"sluice_open_connections", "Open connections to the host now, idle keep-alive included.",
       &HostGateState::open_connections},
      {"sluice_open_connections_max", "The most connections open to the host at once.",
       &HostGateState::max_open_connections},
      {"sluice_connection_cap", "The host's hard cap on connections and requests in flight.",
       &HostGateState::cap},
      {"sluice_effective_connection_cap", "The host's cap after slow-down (429/503).",
       &HostGateState::effective_cap},
  };
  for (const Gauge& g : gauges) {
    w.family(g.name, "gauge", g.help);
    for (const auto& [host, st] : s.gate) {
      w.sample(g.name, {{"host", host}}, st.*g.field);
    }
  }
  w.family("sluice_circuit_state", "gauge",
           "The host's circuit breaker: 1 for its current state (closed, open, half_open).");
  for (const auto& [host, st] : s.gate) {
    for (CircuitState c : {CircuitState::closed, CircuitState::open, CircuitState::half_open}) {
      w.sample("sluice_circuit_state", {{"host", host}, {"state", std::string(circuit_name(c))}},
               st.circuit == c ? 1 : 0);
    }
  }
  struct Counter {
    const char* name;
    const char* help;
    uint64_t HostGateState::*field;
  };
  const Counter counters[] = {
      {"sluice_circuit_opens_total", "Times the host's circuit opened.",
       &HostGateState::circuits_opened},
      {"sluice_fence_refusals_total", "Sockets the connection fence refused (should stay 0).",
       &HostGateState::refused_sockets},
      {"sluice_slow_downs_total", "Cuts of the host's effective cap after 429/503.",
       &HostGateState::slow_downs},
  };
  for (const Counter& c : counters) {
    w.family(c.name, "counter", c.help);
    for (const auto& [host, st] : s.gate) {
      w.sample(c.name, {{"host", host}}, static_cast<double>(st.*c.field));
    }
  }
}

}  // namespace

std::string escape_label_value(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string render_metrics(const ServerSnapshot& s) {
  Writer w;
  queue_families(w, s);
  run_families(w, s);
  gate_families(w, s);
  w.family("sluice_stopping", "gauge", "1 once the run is stopping (SIGTERM), else 0.");
  w.sample("sluice_stopping", {}, s.stopping ? 1 : 0);
  return w.take();
}

}  // namespace sluice
