// The engine tells its RunStats about every request, retry, dead letter and stored object.
#include "engine/run_stats.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "engine/engine.h"
#include "engine/fake_fetcher.h"
#include "gate/local_gate.h"
#include "queue/memory_queue.h"
#include "store/folder_store.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

class Recorder final : public RunStats {
 public:
  void fetch_started(const std::string& host) override {
    ++started[host];
    max_in_flight = std::max(max_in_flight, ++in_flight);
  }
  void fetch_finished(const std::string&, std::string_view outcome, double seconds,
                      uint64_t bytes) override {
    --in_flight;
    ++outcomes[std::string(outcome)];
    EXPECT_GE(seconds, 0);
    fetched_bytes += bytes;
  }
  void job_retried(const std::string&, std::string_view reason) override {
    ++retried[std::string(reason)];
  }
  void job_dead(const std::string&, std::string_view reason) override {
    ++dead[std::string(reason)];
  }
  void job_stored(const std::string& host, uint64_t bytes) override {
    ++stored[host];
    stored_bytes += bytes;
  }

  std::map<std::string, int> started, stored, outcomes, retried, dead;
  int in_flight = 0, max_in_flight = 0;
  uint64_t fetched_bytes = 0, stored_bytes = 0;
};

TEST(RunStatsTest, EngineReportsEveryRequestAndOutcome) {
  fs::path root = fs::temp_directory_path() / ("run-stats-test-" + std::to_string(::getpid()));
  fs::remove_all(root);
  auto store = FolderStore::open(root);
  ASSERT_TRUE(store.ok()) << store.error().to_string();
  FakeClock clock;
  MemoryLogger log;
  MemoryQueue queue;
  std::vector<JobInput> jobs;
  for (int i = 0; i < 6; ++i) {
    std::string url = "http://img.test/p/" + std::to_string(i) + ".jpg";
    jobs.push_back({"id-" + std::to_string(i), url, "img.test:80"});
  }
  ASSERT_TRUE(queue.enqueue(jobs, clock.now_ms()).ok());
  // /2.jpg is gone (404); /3.jpg fails twice with 500, then works.
  FakeFetcher fetcher(clock, [](const FetchRequest& r, int call) {
    FakeResponse resp;
    if (r.url.find("/2.jpg") != std::string::npos) {
      resp.error = http_error(404, r.url);
      resp.status = 404;
    } else if (r.url.find("/3.jpg") != std::string::npos && call <= 2) {
      resp.error = http_error(500, r.url);
      resp.status = 500;
    }
    return resp;
  });
  HostLimits limits(2);
  LocalGate gate(limits);
  auto keys = KeyTemplate::parse("{id}{ext}");
  ASSERT_TRUE(keys.ok());
  EngineOptions opt;
  opt.backoff_base_ms = 10;
  opt.backoff_cap_ms = 100;
  opt.seed = 3;
  Engine engine(queue, gate, gate, fetcher, **store, *keys, limits, clock, log, opt);
  Recorder rec;
  engine.set_stats(&rec);
  ASSERT_TRUE(engine.run().ok());

  EXPECT_EQ(rec.started["img.test:80"], 8);  // six jobs, two retries
  EXPECT_EQ(rec.in_flight, 0);
  EXPECT_EQ(rec.max_in_flight, 2);  // the cap, seen from the events
  EXPECT_EQ(rec.outcomes,
            (std::map<std::string, int>{{"ok", 5}, {"http_404", 1}, {"http_500", 2}}));
  EXPECT_EQ(rec.retried, (std::map<std::string, int>{{"http_500", 2}}));
  EXPECT_EQ(rec.dead, (std::map<std::string, int>{{"http_404", 1}}));
  EXPECT_EQ(rec.stored["img.test:80"], 5);
  EXPECT_EQ(rec.stored_bytes, 5 * FakeResponse{}.body.size());
  EXPECT_EQ(rec.stored_bytes, engine.progress().bytes);
  fs::remove_all(root);
}

}  // namespace
}  // namespace sluice
