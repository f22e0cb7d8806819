#include "worker/run_record.h"

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
  if (hb.busy.empty() && hb.holds.empty()) {
    std::filesystem::remove(path, ec);
    return;
  }
  nlohmann::json j;
  j["pid"] = ::getpid();
  j["at_ms"] = hb.at_ms;
  j["abandon_hold_ms"] = hb.abandon_hold_ms;
  j["busy"] = hb.busy;
  j["holds"] = nlohmann::json::object();
  for (const auto& [host, h] : hb.holds) {
    j["holds"][host] = {{"slots", h.slots}, {"until_ms", h.until_ms}};
  }
  j["holds_taken"] = hb.holds_taken;
  j["circuits"] = hb.circuits;
  j["final"] = hb.final;
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

namespace {

void merge(std::map<std::string, SlotHold>& holds, const std::string& host, SlotHold h) {
  SlotHold& to = holds[host];
  to.slots = std::max(to.slots, h.slots);
  to.until_ms = std::max(to.until_ms, h.until_ms);
}

}  // namespace

std::map<std::string, SlotHold> read_run_record(const std::string& path, int64_t now_ms,
                                                int64_t interval_ms, int64_t abandon_hold_ms,
                                                std::optional<int64_t> grace_ms, Logger& log) {
  std::map<std::string, SlotHold> holds;
  std::ifstream in(path);
  if (!in) return holds;  // no file: the last run ended cleanly
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("busy") || !j["busy"].is_object()) {
    log.warn(path + " is unreadable; holding nothing (remove it to silence this)");
    return holds;
  }
  const int64_t at = j.value("at_ms", int64_t{0});
  // A record from before --abandon-hold named the longest a request could run instead.
  const int64_t recorded = j.value("abandon_hold_ms", j.value("request_deadline_ms", int64_t{0}));
  const int64_t busy_until = at + interval_ms + std::max(recorded, abandon_hold_ms);
  for (auto& [host, slots] : j["busy"].items()) {
    if (slots.is_number_integer()) merge(holds, host, SlotHold{slots.get<int>(), busy_until});
  }
  if (j.contains("holds") && j["holds"].is_object()) {
    for (auto& [host, h] : j["holds"].items()) {
      if (!h.is_object()) continue;
      merge(holds, host, SlotHold{h.value("slots", 0), h.value("until_ms", int64_t{0})});
    }
  }
  const bool crashed = !j.value("final", false);
  const std::string who = "an earlier run (pid " + std::to_string(j.value("pid", 0)) + ")";
  for (auto it = holds.begin(); it != holds.end();) {
    auto& [host, h] = *it;
    if (grace_ms) h.until_ms = std::min(h.until_ms, now_ms + *grace_ms);
    if (h.slots <= 0 || h.until_ms <= now_ms) {
      it = holds.erase(it);
      continue;
    }
    const std::string what =
        crashed ? who + " stopped without finishing; its requests to " + host +
                      " may still be running at the provider"
                : who + " cut requests to " + host + " that the provider may still be serving";
    log.warn(what + ": holding " + std::to_string(h.slots) + " slot(s) for " +
             std::to_string((h.until_ms - now_ms + 999) / 1000) +
             " s (--abandon-hold; --restart-grace shortens this)");
    ++it;
  }
  return holds;
}

}  // namespace sluice
