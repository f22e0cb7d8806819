#include "gate/redis_gate.h"

#include <algorithm>
#include <utility>

#include "gate/redis_gate_lua.h"
#include "queue/redis_keys.h"
#include "queue/redis_scripts.h"

namespace sluice {
namespace {

const RedisScript& slots_script() {
  static const RedisScript script = make_redis_script("slots.lua", lua::kRedisLua_slots);
  return script;
}

}  // namespace

RedisGate::RedisGate(std::unique_ptr<RedisConnection> conn, HostLimits limits,
                     RedisGateOptions options, const Clock& clock, Logger* log)
    : conn_(std::move(conn)),
      limits_(limits),
      opt_(std::move(options)),
      clock_(clock),
      log_(log),
      local_(std::move(limits), opt_.circuit, &clock) {}

RedisGate::~RedisGate() {
  Status s = release_all();
  if (!s.ok() && log_) {
    log_->warn("gate: could not give back the slot leases in Redis (" + s.error().to_string() +
               "): they lapse in " + std::to_string(opt_.lease_ttl_ms / 1000) +
               " s and stay held for --abandon-hold after that");
  }
}

RedisGate::Host& RedisGate::host(const std::string& host_key) {
  auto it = hosts_.find(host_key);
  if (it == hosts_.end()) {
    it = hosts_.try_emplace(host_key).first;
    it->second.cap = std::max(1, limits_.cap_for(host_key));
  }
  return it->second;
}

void RedisGate::mark_lost(const std::string& host_key, Host& h, const std::string& why) {
  h.leased = 0;  // what the server may still hold for us becomes held at the next call
  if (h.lost) return;
  h.lost = true;
  ++leases_lost_;
  lost_.push_back(host_key);
  if (log_) {
    log_->warn("gate: lost the slot lease of " + host_key + " (" + why +
               "): cutting its transfers and closing its connections");
  }
}

bool RedisGate::usable(const std::string& host_key, Host& h) {
  if (h.leased > 0 && clock_.steady_ms() >= h.deadline) {
    mark_lost(host_key, h, "not renewed in time");
  }
  if (h.lost) {
    if (h.in_flight > 0 || h.open > 0) return false;
    h.lost = false;  // everything on the lost slots is gone: start afresh
  }
  return true;
}

RedisGate::Sync RedisGate::sync(const std::string& host_key, Host& h, int want) {
  RedisArgs args{
      opt_.worker,           std::to_string(h.leased),          std::to_string(want),
      std::to_string(h.cap), std::to_string(opt_.lease_ttl_ms), std::to_string(opt_.lapse_hold_ms)};
  for (int64_t ms : h.holds) args.push_back(std::to_string(ms));
  const int64_t sent = clock_.steady_ms();
  auto r = run_script(*conn_, slots_script(), {redis_host_prefix(opt_.prefix, host_key) + ":gate"},
                      args);
  if (!r.ok()) {
    if (!failing_ && log_) {
      log_->warn("gate: " + r.error().to_string() +
                 ": no new slot is taken until Redis answers again");
    }
    failing_ = true;
    h.retry_at = sent + opt_.error_poll_ms;
    return Sync::failed;
  }
  if (failing_ && log_) log_->info("gate: Redis answers again");
  failing_ = false;
  const redisReply* rep = r->get();
  const int64_t status = reply_int(reply_at(rep, 0), -2);
  h.holds.clear();  // written, whatever the status
  h.held = static_cast<int>(reply_int(reply_at(rep, 3)));
  h.held_for_ms = reply_int(reply_at(rep, 4));
  if (status == -1) {
    mark_lost(host_key, h, "it lapsed in Redis");
    return Sync::lost;
  }
  h.leased = static_cast<int>(reply_int(reply_at(rep, 1)));
  if (h.leased > 0) {
    h.renewed_at = sent;
    h.deadline = sent + opt_.lease_ttl_ms - opt_.lease_ttl_ms / 4;
  }
  if (status != 1) {
    h.retry_at = sent + opt_.refused_poll_ms;
    return Sync::refused;
  }
  return Sync::granted;
}

bool RedisGate::try_acquire(const std::string& host_key, int64_t now_ms) {
  std::lock_guard lock(mu_);
  Host& h = host(host_key);
  h.asking = false;  // set again below if Redis is what refuses
  if (!usable(host_key, h)) return false;
  if (!local_.would_admit(host_key, now_ms)) return false;
  // Without an idle connection to reuse, the request opens one: it needs a slot of its own
  // beside the connections the provider still counts (closed ones in their grace included).
  const int64_t steady = clock_.steady_ms();
  const int want = need(h, steady) + (h.open > h.in_flight ? 0 : 1);
  if (want > h.leased) {
    h.asking = steady < h.retry_at || sync(host_key, h, want) != Sync::granted;
    if (h.asking) return false;
  }
  // would_admit said yes a moment ago; if this still refuses, the slot goes back at the
  // next maintain().
  if (!local_.try_acquire(host_key, now_ms)) return false;
  ++h.in_flight;
  return true;
}

void RedisGate::release(const std::string& host_key) {
  local_.release(host_key);
  std::lock_guard lock(mu_);
  Host& h = host(host_key);
  if (h.in_flight > 0) --h.in_flight;
}

bool RedisGate::connection_opening(const std::string& host_key) {
  std::lock_guard lock(mu_);
  Host& h = host(host_key);
  if (!usable(host_key, h)) return false;
  const int want = std::max(h.in_flight, counted_open(h, clock_.steady_ms()) + 1);
  if (want > h.leased && sync(host_key, h, want) != Sync::granted) return false;
  if (!local_.connection_opening(host_key)) return false;
  ++h.open;
  return true;
}

bool RedisGate::may_send(const std::string& host_key) {
  std::lock_guard lock(mu_);
  Host& h = host(host_key);
  return usable(host_key, h);
}

void RedisGate::connection_closed(const std::string& host_key) {
  local_.connection_closed(host_key);
  std::lock_guard lock(mu_);
  Host& h = host(host_key);
  if (h.open == 0) return;
  --h.open;
  if (opt_.close_grace_ms > 0) h.closing.push_back(clock_.steady_ms() + opt_.close_grace_ms);
}

int RedisGate::counted_open(Host& h, int64_t steady) {
  while (!h.closing.empty() && h.closing.front() <= steady) h.closing.pop_front();
  return h.open + static_cast<int>(h.closing.size());
}

void RedisGate::hold(const std::string& host_key, int64_t ttl_ms) {
  if (ttl_ms <= 0) return;
  std::lock_guard lock(mu_);
  Host& h = host(host_key);
  h.holds.push_back(ttl_ms);  // written with the next call for this host
  ++h.holds_taken;
}

void RedisGate::feedback(const std::string& host_key, const Feedback& fb, int64_t now_ms) {
  local_.feedback(host_key, fb, now_ms);
}

int64_t RedisGate::paused_until_ms(const std::string& host_key, int64_t now_ms) const {
  return local_.paused_until_ms(host_key, now_ms);
}

int64_t RedisGate::next_admit_ms(const std::string& host_key, int64_t now_ms) const {
  int64_t t = local_.next_admit_ms(host_key, now_ms);
  std::lock_guard lock(mu_);
  auto it = hosts_.find(host_key);
  if (it == hosts_.end()) return t;
  const Host& h = it->second;
  const int64_t steady = clock_.steady_ms();
  int64_t retry = 0;
  if (h.retry_at > steady) {
    retry = now_ms + (h.retry_at - steady);
  } else if (h.asking) {
    retry = now_ms + 1;  // the time to ask again passed while the caller's turn went on
  }
  if (h.lost) retry = now_ms + opt_.refused_poll_ms;  // until its transfers are gone
  t = std::max(t, retry);
  return t > now_ms ? t : 0;
}

HostHealth RedisGate::health(const std::string& host_key, int64_t now_ms) const {
  return local_.health(host_key, now_ms);
}

std::vector<GateEvent> RedisGate::take_events() { return local_.take_events(); }

std::map<std::string, HostGateState> RedisGate::snapshot() const {
  auto out = local_.snapshot();
  std::lock_guard lock(mu_);
  for (const auto& [key, h] : hosts_) {
    auto it = out.find(key);
    if (it == out.end()) continue;
    it->second.held = h.held;
    it->second.held_for_ms = h.held_for_ms;
    it->second.holds_taken = h.holds_taken;
  }
  return out;
}

std::vector<std::string> RedisGate::maintain(int64_t now_ms) {
  (void)now_ms;
  std::lock_guard lock(mu_);
  const int64_t steady = clock_.steady_ms();
  for (auto& [key, h] : hosts_) {
    usable(key, h);  // a deadline passed: lost; a lost host drained: usable again
    const int want = h.lost ? 0 : std::min(need(h, steady), h.leased);
    const bool due = h.leased > 0 && steady - h.renewed_at >= opt_.lease_ttl_ms / 4;
    if (want < h.leased || !h.holds.empty() || due) (void)sync(key, h, want);
  }
  return std::exchange(lost_, {});
}

Status RedisGate::release_all() {
  std::lock_guard lock(mu_);
  Status first;
  const int64_t steady = clock_.steady_ms();
  for (auto& [key, h] : hosts_) {
    // Connections closed a moment ago may still count at the provider: their slots go back
    // as holds that end with their grace.
    for (int64_t end : h.closing) {
      if (end > steady) h.holds.push_back(end - steady);
    }
    h.closing.clear();
    if (h.leased == 0 && h.holds.empty()) continue;
    if (sync(key, h, 0) == Sync::failed && first.ok()) {
      first = make_error(Reason::queue_unavailable,
                         "Redis did not answer while giving back the slots of " + key);
    }
  }
  return first;
}

int RedisGate::leased(const std::string& host_key) const {
  std::lock_guard lock(mu_);
  auto it = hosts_.find(host_key);
  return it == hosts_.end() ? 0 : it->second.leased;
}

void RedisGate::forget_for_test() {
  std::lock_guard lock(mu_);
  hosts_.clear();
}

uint64_t RedisGate::leases_lost() const {
  std::lock_guard lock(mu_);
  return leases_lost_;
}

}  // namespace sluice
