// GET /api/dlq and POST /api/dlq/replay: the dead-letter queue, with the filters of
// `sluice dlq list` / `dlq replay` (queue/queue.h DeadFilter): reason (a code or a class
// http_4xx / http_5xx), host (HOST:PORT or HOST), id; replay demands one of them or
// "all": true, and refuses both at once.
#include "queue/dead_filter.h"
#include "server/http_internal.h"
#include "util/iso_time.h"

namespace sluice {
namespace {

using nlohmann::json;

json dead_json(const JobRecord& r) {
  return {{"id", r.id},
          {"url", r.url},
          {"host", r.host_key},
          {"reason", r.error_code},
          {"detail", r.error_detail},
          {"attempts", r.attempts},
          {"updated_at", iso_time(r.updated_at_ms)}};
}

void get_dlq(Api api, const httplib::Request& req, httplib::Response& res) {
  DeadFilter f;
  f.reason = req.get_param_value("reason");
  f.host = req.get_param_value("host");
  f.id = req.get_param_value("id");
  uint64_t limit = api.options.dlq_limit;
  if (req.has_param("limit")) {
    const std::string v = req.get_param_value("limit");
    char* end = nullptr;
    unsigned long long n = std::strtoull(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n == 0) {
      send_error(res, 400, api_code::bad_request,
                 "limit \"" + bounded(v) + "\" is not a whole number from 1");
      return;
    }
    limit = n;
  }
  limit = std::min(limit, api.options.dlq_max_limit);
  json jobs = json::array();
  bool truncated = false;
  Status s = api.parts.queue.scan_dead(f, [&](const JobRecord& r) {
    if (jobs.size() >= limit) {
      truncated = true;
      return false;
    }
    jobs.push_back(dead_json(r));
    return true;
  });
  if (!s.ok()) {
    send_error(res, 503, api_code::queue_failed, "dlq: " + s.error().to_string());
    return;
  }
  send_json(res, 200, {{"count", jobs.size()}, {"truncated", truncated}, {"jobs", jobs}});
}

// The filter from a JSON body ({"reason": "http_404"}) or, without a body, the query.
bool replay_filter(const httplib::Request& req, const std::string& body, DeadFilter* f,
                   std::string* why) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
    f->reason = req.get_param_value("reason");
    f->host = req.get_param_value("host");
    f->id = req.get_param_value("id");
    f->all = req.get_param_value("all") == "true" || req.get_param_value("all") == "1";
    return true;
  }
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    *why = "expected a JSON object such as {\"reason\": \"http_404\"} or {\"all\": true}";
    return false;
  }
  for (auto [name, field] :
       {std::pair{"reason", &f->reason}, std::pair{"host", &f->host}, std::pair{"id", &f->id}}) {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) continue;
    if (!it->is_string()) {
      *why = std::string("\"") + name + "\" must be a string";
      return false;
    }
    *field = it->get<std::string>();
  }
  auto all = j.find("all");
  if (all != j.end() && !all->is_boolean()) {
    *why = "\"all\" must be true or false";
    return false;
  }
  f->all = all != j.end() && all->get<bool>();
  return true;
}

void post_replay(Api api, const httplib::Request& req, httplib::Response& res,
                 const httplib::ContentReader& reader) {
  std::string body;
  if (!read_body(req, reader, api.options.max_body, &body, res)) return;
  DeadFilter f;
  std::string why;
  if (!replay_filter(req, body, &f, &why)) {
    send_error(res, 400, api_code::bad_request, "replay: " + why);
    return;
  }
  if (f.empty() && !f.all) {
    send_error(res, 400, api_code::bad_request,
               "replay needs reason, host or id to choose dead jobs, or \"all\": true to "
               "replay every dead job");
    return;
  }
  if (!f.empty() && f.all) {
    send_error(res, 400, api_code::bad_request,
               "\"all\" replays every dead job: drop it or the filters");
    return;
  }
  auto n = api.parts.queue.replay(f, api.parts.clock.now_ms());
  if (!n.ok()) {
    send_error(res, 503, api_code::queue_failed, "replay: " + n.error().to_string());
    return;
  }
  api.parts.snapshots.invalidate();
  if (api.parts.added) api.parts.added(*n);
  api.parts.log.info("replayed " + std::to_string(*n) + " dead jobs (POST /api/dlq/replay)");
  send_json(res, 200, {{"replayed", *n}});
}

}  // namespace

void add_dlq_routes(httplib::Server& server, Api api) {
  server.Get("/api/dlq", [api](const httplib::Request& req, httplib::Response& res) {
    get_dlq(api, req, res);
  });
  server.Post("/api/dlq/replay",
              [api](const httplib::Request& req, httplib::Response& res,
                    const httplib::ContentReader& reader) { post_replay(api, req, res, reader); });
}

}  // namespace sluice
