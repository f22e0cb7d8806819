#include "provider/faults.h"

#include <array>
#include <memory>

#include "provider/body.h"
#include "provider/body_stream.h"
#include "provider/http_date.h"

namespace sluice {
namespace {

bool is_get(const RequestView& r) { return r.method == "GET"; }

bool is_image_request(const RequestView& r) {
  return r.path.starts_with("/img/") && (r.method == "GET" || r.method == "HEAD");
}

std::optional<Reply> suspended(const FaultContext& c, PathFault) {
  if (!c.suspended) return std::nullopt;
  return text_reply(403, "account suspended");
}

std::optional<Reply> oversize(const FaultContext& c, PathFault fault) {
  if (fault != PathFault::oversize) return std::nullopt;
  const uint64_t size = c.options.oversize_bytes;
  Reply reply;
  reply.content_type = std::string(body_content_type(c.request.path));
  reply.source = std::make_shared<ImageBodyStream>(size, c.request.path);
  reply.headers = {{"ETag", body_etag(SizeSpec{size, size}, c.request.path)},
                   {"Last-Modified", body_last_modified(c.request.path)}};
  return reply;
}

std::optional<Reply> wrong_type(const FaultContext&, PathFault fault) {
  if (fault != PathFault::wrong_type) return std::nullopt;
  Reply reply = text_reply(200, wrong_type_page());
  reply.content_type = "text/html";
  return reply;
}

std::optional<Reply> gone(const FaultContext&, PathFault fault) {
  if (fault != PathFault::http_410) return std::nullopt;
  return text_reply(410, "gone");
}

std::optional<Reply> missing(const FaultContext&, PathFault fault) {
  if (fault != PathFault::http_404) return std::nullopt;
  return text_reply(404, "not found");
}

std::optional<Reply> slow_down(const FaultContext& c, PathFault fault) {
  if (fault != PathFault::http_429 || c.nth != 1) return std::nullopt;
  Reply reply = text_reply(429, "too many requests");
  const int64_t wait_s = c.options.retry_after_s;
  if (c.options.retry_after_date) {
    // Rounded up, so the date is never sooner than wait_s from now.
    reply.headers.emplace_back("Retry-After", http_date((c.now_ms + 999) / 1000 + wait_s));
  } else {
    reply.headers.emplace_back("Retry-After", std::to_string(wait_s));
  }
  return reply;
}

std::optional<Reply> fail_first(const FaultContext& c, PathFault) {
  if (!is_image_request(c.request) || c.nth > c.options.fail_first) return std::nullopt;
  return text_reply(c.options.fail_status, "server error (fail-first)");
}

// The normal image reply, delivered the faulty way, on the first GET past fail-first.
std::optional<Reply> delivered(const FaultContext& c, bool takes, Delivery::Kind kind) {
  if (!takes || !is_get(c.request)) return std::nullopt;
  Reply reply = image_reply(c.options.size, c.request.path);
  reply.delivery.kind = kind;
  reply.delivery.cut_at = reply.body.size() / 2;
  reply.delivery.bytes_per_s = c.options.drip_bytes_per_s;
  return reply;
}

bool first_past_fail_first(const FaultContext& c) { return c.nth == c.options.fail_first + 1; }

std::optional<Reply> reset(const FaultContext& c, PathFault fault) {
  return delivered(c, fault == PathFault::reset && first_past_fail_first(c), Delivery::Kind::reset);
}

std::optional<Reply> cut(const FaultContext& c, PathFault fault) {
  return delivered(c, fault == PathFault::cut && first_past_fail_first(c), Delivery::Kind::cut);
}

std::optional<Reply> drip(const FaultContext& c, PathFault fault) {
  const bool turn = c.options.drip_once ? first_past_fail_first(c) : c.nth > c.options.fail_first;
  return delivered(c, fault == PathFault::drip && turn, Delivery::Kind::drip);
}

constexpr std::array<FaultRule, 10> kRules = {{
    {"suspended", &suspended},
    {"oversize", &oversize},
    {"wrong_type", &wrong_type},
    {"http_410", &gone},
    {"http_404", &missing},
    {"http_429", &slow_down},
    {"fail_first", &fail_first},
    {"reset", &reset},
    {"short", &cut},
    {"drip", &drip},
}};

}  // namespace

std::span<const FaultRule> fault_rules() { return kRules; }

std::optional<FaultReply> apply_faults(const FaultContext& context) {
  const PathFault fault = is_image_request(context.request)
                              ? path_fault(context.options, context.request.path)
                              : PathFault::none;
  for (const FaultRule& rule : kRules) {
    if (auto reply = rule.apply(context, fault)) return FaultReply{rule.name, std::move(*reply)};
  }
  return std::nullopt;
}

bool faults_count_requests(const ProviderOptions& o) {
  return o.fail_first > 0 || o.share_429 > 0 || o.share_reset > 0 || o.share_short > 0 ||
         (o.share_drip > 0 && o.drip_once);
}

std::string_view wrong_type_page() {
  return "<!DOCTYPE html>\n<html><head><title>Product image</title></head>\n"
         "<body><p>This image is not available.</p></body></html>\n";
}

}  // namespace sluice
