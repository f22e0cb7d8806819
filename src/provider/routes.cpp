#include "provider/routes.h"

#include <charconv>
#include <optional>
#include <string_view>

#include "provider/body.h"
#include "provider/faults.h"

namespace sluice {
namespace {

bool is_get_or_head(const RequestView& r) { return r.method == "GET" || r.method == "HEAD"; }

Reply method_not_allowed(std::string_view allow) {
  Reply reply = text_reply(405, "method not allowed");
  reply.headers.emplace_back("Allow", allow);
  return reply;
}

Reply stats_reply(const Counters& counters) {
  Reply reply;
  reply.content_type = "application/json";
  reply.body = stats_json(counters.snapshot());
  return reply;
}

// /status/<code>[/<anything>]
Reply status_reply(std::string_view path) {
  std::string_view rest = path.substr(std::string_view("/status/").size());
  std::string_view digits = rest.substr(0, rest.find('/'));
  int code = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), code);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || code < 200 ||
      code > 599) {
    return text_reply(400, "bad status code (expected 200-599)");
  }
  if (code == 204 || code == 304) {
    Reply empty;
    empty.status = code;
    return empty;
  }
  return text_reply(code, "status " + std::to_string(code));
}

// The value of `key` in a query "a=1&b=2"; nullopt if absent.
std::optional<std::string_view> query_value(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) {
      return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    }
  }
  return std::nullopt;
}

}  // namespace

MainRoutes::MainRoutes(ProviderOptions options, Counters* counters, const Clock* clock)
    : options_(std::move(options)),
      count_gets_(faults_count_requests(options_)),
      counters_(counters),
      clock_(clock ? clock : &system_clock_),
      rng_(options_.seed) {
  for (const FaultRule& rule : fault_rules()) counters_->declare_fault(rule.name);
}

Reply MainRoutes::handle(const RequestView& request) {
  const bool suspended = counters_->suspended();
  int64_t nth = 1;
  if (!suspended && count_gets_ && request.path.starts_with("/img/")) {
    if (request.method == "GET") nth = counters_->count_get(request.path);
    if (request.method == "HEAD") nth = counters_->next_get(request.path);
  }
  FaultContext context{options_, request, suspended, nth, clock_->now_ms()};
  Reply reply;
  if (std::optional<FaultReply> fault = apply_faults(context)) {
    counters_->fault_taken(fault->rule);
    reply = std::move(fault->reply);
  } else {
    reply = route(request);
  }
  reply.delay = options_.latency.sample(rng_);
  return reply;
}

Reply MainRoutes::route(const RequestView& request) const {
  const std::string_view path = request.path;
  const bool known =
      path.starts_with("/img/") || path.starts_with("/status/") || path == "/__stats";
  if (!known) return text_reply(404, "not found");
  if (!is_get_or_head(request)) return method_not_allowed("GET, HEAD");
  if (path == "/__stats") return stats_reply(*counters_);
  if (path.starts_with("/status/")) return status_reply(path);
  return image_reply(options_.size, path);
}

Reply ControlRoutes::handle(const RequestView& request) {
  if (request.path == "/__stats") {
    if (!is_get_or_head(request)) return method_not_allowed("GET, HEAD");
    return stats_reply(*counters_);
  }
  if (request.path == "/__reset") {
    if (request.method != "POST") return method_not_allowed("POST");
    counters_->reset();
    return stats_reply(*counters_);
  }
  if (request.path == "/__suspend") return suspend(request);
  return text_reply(404, "not found");
}

Reply ControlRoutes::suspend(const RequestView& request) {
  if (request.method != "POST") return method_not_allowed("POST");
  constexpr int kMaxSeconds = 86400;
  int seconds = static_cast<int>(default_suspend_.count());
  if (std::optional<std::string_view> value = query_value(request.query, "seconds")) {
    auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), seconds);
    if (value->empty() || ec != std::errc() || end != value->data() + value->size() ||
        seconds < 0 || seconds > kMaxSeconds) {
      return text_reply(400, "seconds must be a whole number from 0 to 86400");
    }
  } else if (seconds <= 0) {
    return text_reply(400, "POST /__suspend?seconds=N (0 lifts the suspension)");
  }
  counters_->suspend_for(std::chrono::seconds(seconds));
  return stats_reply(*counters_);
}

}  // namespace sluice
