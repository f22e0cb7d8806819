// The read-only endpoints: /api/status, /api/series, /metrics, /healthz, /readyz and the
// dashboard's static files.
#include "server/assets.h"
#include "server/http_internal.h"
#include "server/metrics_text.h"
#include "server/status_json.h"

namespace sluice {
namespace {

using nlohmann::json;

void get_status(Api api, httplib::Response& res) {
  auto s = api.parts.snapshots.take();
  if (!s.ok()) {
    send_error(res, 503, api_code::queue_failed, "status: " + s.error().to_string());
    return;
  }
  send_json(res, 200, status_json(*s));
}

void get_series(Api api, const httplib::Request& req, httplib::Response& res) {
  int64_t after = 0;
  if (req.has_param("after_ms")) {
    const std::string v = req.get_param_value("after_ms");
    char* end = nullptr;
    after = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0') {
      send_error(res, 400, api_code::bad_request,
                 "after_ms \"" + bounded(v) + "\" is not a whole number");
      return;
    }
  }
  send_json(res, 200, series_json(api.parts.series.since(after), api.parts.clock.now_ms()));
}

void get_metrics(Api api, httplib::Response& res) {
  auto s = api.parts.snapshots.take();
  if (!s.ok()) {
    send_error(res, 503, api_code::queue_failed, "metrics: " + s.error().to_string());
    return;
  }
  res.status = 200;
  res.set_content(render_metrics(*s), "text/plain; version=0.0.4; charset=utf-8");
}

void get_ready(Api api, httplib::Response& res) {
  auto q = api.parts.queue.next_ready_ms();
  Status store = api.parts.ready ? api.parts.ready() : Status();
  if (q.ok() && store.ok()) {
    send_json(res, 200, {{"status", "ready"}, {"queue", "ok"}, {"run", "ok"}});
    return;
  }
  std::string queue = q.ok() ? "ok" : q.error().to_string();
  std::string run = store.ok() ? "ok" : store.error().to_string();
  send_error(res, 503, api_code::not_ready,
             "not ready: queue: " + queue + "; store and run: " + run,
             {{"queue", queue}, {"run", run}});
}

}  // namespace

void add_view_routes(httplib::Server& server, Api api) {
  server.Get("/api/status",
             [api](const httplib::Request&, httplib::Response& res) { get_status(api, res); });
  server.Get("/api/series", [api](const httplib::Request& req, httplib::Response& res) {
    get_series(api, req, res);
  });
  server.Get("/metrics",
             [api](const httplib::Request&, httplib::Response& res) { get_metrics(api, res); });
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, {{"status", "ok"}});
  });
  server.Get("/readyz",
             [api](const httplib::Request&, httplib::Response& res) { get_ready(api, res); });
  for (const char* path : {"/", "/index.html", "/app.js", "/app.css"}) {
    server.Get(path, [](const httplib::Request& req, httplib::Response& res) {
      const Asset* a = find_asset(req.path == "/index.html" ? "/" : req.path);
      if (!a) {
        send_error(res, 404, api_code::not_found, "no dashboard file " + bounded(req.path));
        return;
      }
      res.set_header("Cache-Control", "no-cache");
      res.set_content(std::string(a->body), std::string(a->content_type).c_str());
    });
  }
}

}  // namespace sluice
