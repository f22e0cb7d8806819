// The HTTP server over loopback with a memory queue: routes, the token, body limits and
// the JSON error form. The real binary is tested in tests/system/test_serve_*.sh.
#include "server/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "gate/local_gate.h"
#include "queue/memory_queue.h"

namespace sluice {
namespace {

using nlohmann::json;

class HttpServerTest : public ::testing::Test {
 protected:
  void start(std::string token = "", size_t max_body = 4096) {
    ServerOptions o;
    o.listen = {"127.0.0.1", 0};
    o.token = std::move(token);
    o.max_body = max_body;
    o.threads = 2;
    snapshots_ = std::make_unique<SnapshotSource>(
        queue_, gate_, limits_, metrics_, series_, clock_, [] { return false; }, 0);
    server_ = std::make_unique<HttpServer>(
        o, ServerParts{queue_, *snapshots_, series_, clock_, log_, [] { return Status(); }});
    auto at = server_->start();
    ASSERT_TRUE(at.ok()) << at.error().to_string();
    ASSERT_GT(at->port, 0);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", at->port);
  }

  static json body(const httplib::Result& r) {
    EXPECT_TRUE(r) << "no answer";
    return r ? json::parse(r->body, nullptr, false) : json();
  }
  uint64_t total() { return queue_.stats()->all.total(); }

  FakeClock clock_;
  MemoryLogger log_;
  MemoryQueue queue_;
  HostLimits limits_{5};
  LocalGate gate_{limits_};
  RunMetrics metrics_;
  Series series_;
  std::unique_ptr<SnapshotSource> snapshots_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(HttpServerTest, PostJobsEnqueuesAndIsIdempotent) {
  start();
  std::string jsonl =
      "{\"url\": \"http://img.test/1.jpg\"}\n{\"url\": \"http://img.test/2.jpg\"}\n";
  auto r = client_->Post("/api/jobs", jsonl, "application/x-ndjson");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  json j = body(r);
  EXPECT_EQ(j["accepted"], 2);
  EXPECT_EQ(j["inserted"], 2);
  EXPECT_EQ(j["form"], "jsonl");
  r = client_->Post("/api/jobs", jsonl, "application/x-ndjson");
  EXPECT_EQ(body(r)["unchanged"], 2);
  EXPECT_EQ(total(), 2u);
}

// Regression: httplib caps form-urlencoded bodies (curl -d's default) at 8 KiB with a 413.
TEST_F(HttpServerTest, LargeBodyWithCurlsDefaultContentTypeIsRead) {
  start("", 1 << 20);
  std::string jsonl;
  int n = 0;
  for (; jsonl.size() < 40'000; ++n) {
    jsonl += "{\"url\": \"http://img.test/" + std::to_string(n) + ".jpg\"}\n";
  }
  auto r = client_->Post("/api/jobs", jsonl, "application/x-www-form-urlencoded");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(total(), static_cast<uint64_t>(n));
}

TEST_F(HttpServerTest, FieldMappingPerRequest) {
  start();
  auto r = client_->Post("/api/jobs?url_field=image_url&id_field=gtin",
                         R"([{"image_url": "http://img.test/9.jpg", "gtin": 4006381333931}])",
                         "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  std::vector<std::string> ids;
  ASSERT_TRUE(queue_
                  .scan([&](const JobRecord& rec) {
                    ids.push_back(rec.id);
                    return true;
                  })
                  .ok());
  EXPECT_EQ(ids, std::vector<std::string>{"4006381333931"});
}

TEST_F(HttpServerTest, BadRecordsRejectTheWholeBody) {
  start();
  std::string jsonl =
      "{\"url\": \"http://img.test/1.jpg\"}\n{\"url\": 1}\n{\"url\": \"http://img.test/3.jpg\"}\n"
      "not json\n";
  auto r = client_->Post("/api/jobs", jsonl, "application/x-ndjson");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  json j = body(r);
  EXPECT_EQ(j["error"]["code"], "rejected_records");
  EXPECT_EQ(j["rejected"], 2);
  EXPECT_EQ(j["accepted"], 0);
  ASSERT_EQ(j["problems"].size(), 2u);
  EXPECT_EQ(j["problems"][0]["line"], 2);
  EXPECT_EQ(j["problems"][1]["line"], 4);
  EXPECT_EQ(total(), 0u);  // nothing half-enqueued
}

TEST_F(HttpServerTest, OversizedBodyIs413AndEnqueuesNothing) {
  start("", 1024);
  std::string jsonl;
  for (int i = 0; jsonl.size() <= 1024; ++i) {
    jsonl += "{\"url\": \"http://img.test/" + std::to_string(i) + ".jpg\"}\n";
  }
  auto r = client_->Post("/api/jobs", jsonl, "application/x-ndjson");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(body(r)["error"]["code"], "body_too_large");
  EXPECT_EQ(total(), 0u);
}

TEST_F(HttpServerTest, TokenGuardsEverythingButHealthz) {
  start("tok-123");
  std::string job = R"({"url": "http://img.test/1.jpg"})";
  for (const char* auth : {"", "Bearer tok-12", "Bearer tok-1234", "Basic tok-123"}) {
    httplib::Headers h;
    if (*auth) h.emplace("Authorization", auth);
    auto r = client_->Post("/api/jobs", h, job, "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << auth;
    EXPECT_EQ(body(r)["error"]["code"], "unauthorized");
    EXPECT_EQ(client_->Get("/api/status", h)->status, 401);
    EXPECT_EQ(client_->Get("/metrics", h)->status, 401);
    EXPECT_EQ(client_->Post("/api/dlq/replay", h, "{\"all\": true}", "application/json")->status,
              401);
  }
  EXPECT_EQ(total(), 0u);
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
  httplib::Headers ok{{"Authorization", "Bearer tok-123"}};
  auto r = client_->Post("/api/jobs", ok, job, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(total(), 1u);
  EXPECT_EQ(client_->Get("/metrics", ok)->status, 200);
}

TEST_F(HttpServerTest, DlqListAndReplay) {
  start();
  ASSERT_TRUE(queue_
                  .enqueue({{"a", "http://img.test/a.jpg", "img.test:80"},
                            {"b", "http://img.test/b.jpg", "img.test:80"}},
                           clock_.now_ms())
                  .ok());
  auto leased = queue_.lease(LeaseRequest{10, clock_.now_ms(), 1000, {}});
  ASSERT_TRUE(leased.ok());
  std::vector<Transition> t;
  for (const Job& job : *leased) {
    Transition x;
    x.kind = Transition::Kind::bury;
    x.seq = job.seq;
    x.error_code = job.id == "a" ? "http_404" : "timeout";
    t.push_back(x);
  }
  ASSERT_TRUE(queue_.apply(t, clock_.now_ms()).ok());

  json list = body(client_->Get("/api/dlq?reason=http_4xx"));
  ASSERT_EQ(list["count"], 1);
  EXPECT_EQ(list["jobs"][0]["id"], "a");
  EXPECT_EQ(list["jobs"][0]["reason"], "http_404");
  EXPECT_EQ(body(client_->Get("/api/dlq?limit=1"))["truncated"], true);
  EXPECT_EQ(client_->Get("/api/dlq?limit=x")->status, 400);

  auto refused = client_->Post("/api/dlq/replay", "{}", "application/json");
  EXPECT_EQ(refused->status, 400);
  EXPECT_EQ(body(refused)["error"]["code"], "bad_request");
  EXPECT_EQ(client_->Post("/api/dlq/replay", "{\"reason\": 5}", "application/json")->status, 400);
  EXPECT_EQ(queue_.stats()->all.dead, 2u);
  auto r = client_->Post("/api/dlq/replay", "{\"reason\": \"http_404\"}", "application/json");
  EXPECT_EQ(body(r)["replayed"], 1);
  EXPECT_EQ(queue_.stats()->all.dead, 1u);
  EXPECT_EQ(queue_.stats()->all.queued, 1u);
}

TEST_F(HttpServerTest, StatusMetricsHealthAndDashboard) {
  start();
  ASSERT_TRUE(
      queue_.enqueue({{"a", "http://img.test/a.jpg", "img.test:80"}}, clock_.now_ms()).ok());
  json s = body(client_->Get("/api/status"));
  EXPECT_EQ(s["jobs"]["queued"], 1);
  EXPECT_EQ(s["hosts"]["img.test:80"]["cap"], 5);
  EXPECT_EQ(s["hosts"]["img.test:80"]["circuit"], "closed");
  auto m = client_->Get("/metrics");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(m->body.find("sluice_jobs{state=\"queued\"} 1\n"), std::string::npos);
  EXPECT_EQ(body(client_->Get("/healthz"))["status"], "ok");
  EXPECT_EQ(body(client_->Get("/readyz"))["status"], "ready");
  auto page = client_->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<script src=\"app.js\">"), std::string::npos);
  EXPECT_NE(client_->Get("/app.js")->body.find("sluiceDashboard"), std::string::npos);
  auto missing = client_->Get("/nope");
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(body(missing)["error"]["code"], "not_found");
}

}  // namespace
}  // namespace sluice
