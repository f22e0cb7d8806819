#include "cli/run_record.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <system_error>

namespace sluice {

std::string run_record_path(const std::string& queue_file) { return queue_file + ".run"; }

void write_run_record(const std::string& path, const Heartbeat& hb, Logger& log) {
  std::error_code ec;
  if (hb.busy.empty()) {
    std::filesystem::remove(path, ec);
    return;
  }
  nlohmann::json j;
  j["pid"] = ::getpid();
  j["at_ms"] = hb.at_ms;
  j["request_deadline_ms"] = hb.request_deadline_ms;
  j["busy"] = hb.busy;
  j["circuits"] = hb.circuits;
  j["done"] = hb.done;
  j["dead"] = hb.dead;
  j["in_flight"] = hb.in_flight;
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    if (!out.flush()) {
      log.warn("cannot write " + tmp + ": a crash now would not hold the provider's slots");
      return;
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) log.warn("cannot rename " + tmp + " to " + path + ": " + ec.message());
}

nlohmann::json read_run_status(const std::string& path) {
  std::ifstream in(path);
  if (!in) return nullptr;
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nullptr : j;
}

std::map<std::string, SlotHold> read_run_record(const std::string& path, int64_t now_ms,
                                                int64_t interval_ms,
                                                std::optional<int64_t> grace_ms, Logger& log) {
  std::map<std::string, SlotHold> holds;
  std::ifstream in(path);
  if (!in) return holds;  // no file: the last run ended cleanly
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("busy") || !j["busy"].is_object()) {
    log.warn(path + " is unreadable; holding nothing (remove it to silence this)");
    return holds;
  }
  int64_t at = j.value("at_ms", int64_t{0});
  int64_t deadline = j.value("request_deadline_ms", int64_t{0});
  int64_t until = at + interval_ms + deadline;
  if (grace_ms) until = std::min(until, now_ms + *grace_ms);
  for (auto& [host, slots] : j["busy"].items()) {
    if (!slots.is_number_integer() || until <= now_ms) continue;
    holds[host] = SlotHold{slots.get<int>(), until};
    log.warn("an earlier run (pid " + std::to_string(j.value("pid", 0)) +
             ") stopped without finishing; its requests to " + host +
             " may still be running at the provider: holding " + std::to_string(slots.get<int>()) +
             " slot(s) for " + std::to_string((until - now_ms + 999) / 1000) +
             " s (--restart-grace shortens this)");
  }
  return holds;
}

}  // namespace sluice
