#include "provider/routes.h"

#include <charconv>

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

Reply image_reply(const ProviderOptions& options, std::string_view path) {
  Reply reply;
  reply.content_type = std::string(body_content_type(path));
  reply.body = provider_body(options.size, path);
  reply.headers.emplace_back("ETag", body_etag(options.size, path));
  reply.headers.emplace_back("Last-Modified", body_last_modified(path));
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

}  // namespace

MainRoutes::MainRoutes(ProviderOptions options, Counters* counters)
    : options_(std::move(options)), counters_(counters), rng_(options_.seed) {}

Reply MainRoutes::handle(const RequestView& request) {
  FaultContext context{options_, request, counters_->suspended()};
  std::optional<Reply> fault = apply_faults(context);
  Reply reply = fault ? std::move(*fault) : route(request);
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
  return image_reply(options_, path);
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
  return text_reply(404, "not found");
}

}  // namespace sluice
