#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/engine_fixture.h"
#include "store/faulty_store.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

class EngineTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    opt_.backoff_base_ms = 100;
    opt_.backoff_cap_ms = 1000;
  }

  // n jobs "img-<i>" at http://<host>/p/<i>.jpg.
  void enqueue(int n, const std::string& host = "img.test:80") {
    add_jobs(n, host.substr(0, host.find(':')) + "-", "http://" + host + "/p/", host);
  }

  Status run(FakeFetcher& fetcher, Store& store, int cap = 3) {
    limits_ = HostLimits(cap);
    LocalGate gate(limits_, circuit_, &clock_);
    Engine engine(queue_, gate, gate, fetcher, store, keys_, limits_, clock_, log_, opt_);
    Status s = engine.run();
    progress_ = engine.progress();
    gate_state_ = gate.snapshot();
    return s;
  }

  EngineProgress progress_;
  std::map<std::string, HostGateState> gate_state_;
};

TEST_F(EngineTest, StoresEveryJobWithinTheCap) {
  enqueue(50);
  FakeFetcher fetcher(clock_, [](const FetchRequest& r, int) {
    FakeResponse resp;
    resp.body = "\xFF\xD8\xFF bytes of " + r.url;
    return resp;
  });
  ASSERT_TRUE(run(fetcher, *store_, 3).ok());
  EXPECT_EQ(counts().done, 50u);
  EXPECT_EQ(fetcher.max_in_flight("img.test:80"), 3);  // the window was full, never over
  for (const auto& r : records()) {
    ASSERT_EQ(r.state, JobState::done);
    std::ifstream in(root_ / r.manifest.key, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str(), "\xFF\xD8\xFF bytes of " + r.url);
    EXPECT_EQ(r.manifest.sha256, sha256_hex("\xFF\xD8\xFF bytes of " + r.url));
    EXPECT_EQ(r.attempts, 1);
    EXPECT_EQ(r.manifest.key, r.id + ".jpg");
  }
  EXPECT_TRUE(fs::is_empty(store_->spool_dir()));
}

TEST_F(EngineTest, CapsAreCountedPerHost) {
  enqueue(20, "a.test:80");
  enqueue(20, "b.test:80");
  FakeFetcher fetcher(clock_, [](const FetchRequest&, int) { return FakeResponse{}; });
  ASSERT_TRUE(run(fetcher, *store_, 2).ok());
  EXPECT_EQ(counts().done, 40u);
  EXPECT_EQ(fetcher.max_in_flight("a.test:80"), 2);
  EXPECT_EQ(fetcher.max_in_flight("b.test:80"), 2);
}

TEST_F(EngineTest, PermanentFailureIsDeadAtOnce) {
  enqueue(4);
  FakeFetcher fetcher(clock_, [](const FetchRequest& r, int) {
    FakeResponse resp;
    if (r.url.find("/2.jpg") != std::string::npos) {
      resp.error = http_error(404, r.url);
      resp.status = 404;
    }
    return resp;
  });
  ASSERT_TRUE(run(fetcher, *store_).ok());
  EXPECT_EQ(counts().done, 3u);
  EXPECT_EQ(counts().dead, 1u);
  for (const auto& r : records()) {
    if (r.state != JobState::dead) continue;
    EXPECT_EQ(r.error_code, "http_404");
    EXPECT_EQ(r.attempts, 1);
    EXPECT_EQ(fetcher.calls(r.url), 1);
  }
}

TEST_F(EngineTest, TransientFailuresAreRetriedWithBackoffThenSucceed) {
  circuit_.enabled = false;  // ten timeouts in a row would open it; tested below
  enqueue(5);
  FakeFetcher fetcher(clock_, [](const FetchRequest& r, int call) {
    FakeResponse resp;
    if (call <= 2) resp.error = make_error(Reason::timeout, r.url);
    return resp;
  });
  int64_t t0 = clock_.now_ms();
  ASSERT_TRUE(run(fetcher, *store_).ok());
  EXPECT_EQ(counts().done, 5u);
  for (const auto& r : records()) EXPECT_EQ(r.attempts, 3) << r.id;
  EXPECT_EQ(progress_.retried, 10u);
  EXPECT_GT(clock_.now_ms() - t0, 0);
}

TEST_F(EngineTest, TransientFailuresEndDeadAfterMaxAttempts) {
  opt_.max_attempts = 4;
  enqueue(2);
  FakeFetcher fetcher(clock_, [](const FetchRequest& r, int) {
    FakeResponse resp;
    resp.error = http_error(500, r.url);
    resp.status = 500;
    return resp;
  });
  ASSERT_TRUE(run(fetcher, *store_).ok());
  EXPECT_EQ(counts().dead, 2u);
  for (const auto& r : records()) {
    EXPECT_EQ(r.attempts, 4);
    EXPECT_EQ(r.error_code, "http_500");
    EXPECT_EQ(fetcher.calls(r.url), 4);
  }
}

TEST_F(EngineTest, RetryAfterIsHonoured) {
  enqueue(1);
  FakeFetcher fetcher(clock_, [](const FetchRequest& r, int call) {
    FakeResponse resp;
    if (call == 1) {
      resp.error = http_error(429, r.url);
      resp.status = 429;
      resp.retry_after = "30";
    }
    return resp;
  });
  int64_t t0 = clock_.now_ms();
  ASSERT_TRUE(run(fetcher, *store_).ok());
  EXPECT_EQ(counts().done, 1u);
  EXPECT_GE(clock_.now_ms() - t0, 30'000);
}

TEST_F(EngineTest, StoreFailuresAreRetriedNeverDeadLettered) {
  enqueue(10);
  FaultyStore faulty(*store_);
  faulty.fail_next(5, make_error(Reason::store_io, "disk full (injected)"));
  FakeFetcher fetcher(clock_, [](const FetchRequest&, int) { return FakeResponse{}; });
  ASSERT_TRUE(run(fetcher, faulty).ok());
  EXPECT_EQ(counts().done, 10u);
  EXPECT_EQ(counts().dead, 0u);
  EXPECT_EQ(fetcher.started(), 10u);  // no re-fetch: the temp file waited for the store
  EXPECT_TRUE(fs::is_empty(store_->spool_dir()));
}

TEST_F(EngineTest, StoreDeniedStopsTheRunAndLosesNothing) {
  enqueue(10);
  FaultyStore faulty(*store_);
  faulty.fail_next(1000, make_error(Reason::store_denied, "permission denied (injected)"));
  FakeFetcher fetcher(clock_, [](const FetchRequest&, int) { return FakeResponse{}; });
  Status s = run(fetcher, faulty);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().reason, Reason::store_denied);
  StateCounts c = counts();
  EXPECT_EQ(c.dead, 0u);
  EXPECT_EQ(c.leased, 0u);
  EXPECT_EQ(c.queued + c.done, 10u);
  EXPECT_TRUE(fs::is_empty(store_->spool_dir()));
}

// Regression: a store failure that arrived after the stop began was parked for a retry
// that never came, and the run hung until a second signal.
TEST_F(EngineTest, StopDuringAStoreOutageReleasesTheJobs) {
  enqueue(10);
  FaultyStore faulty(*store_);
  faulty.fail_next(1000, make_error(Reason::store_io, "bucket unreachable (injected)"));
  Engine* engine_ptr = nullptr;
  int fetched = 0;
  FakeFetcher fetcher(clock_, [&](const FetchRequest&, int) {
    if (++fetched == 2 && engine_ptr) engine_ptr->request_stop();
    return FakeResponse{};
  });
  limits_ = HostLimits(3);
  LocalGate gate(limits_, circuit_, &clock_);
  auto keys = KeyTemplate::parse("{id}{ext}");
  Engine engine(queue_, gate, gate, fetcher, faulty, *keys, limits_, clock_, log_, opt_);
  engine_ptr = &engine;
  ASSERT_TRUE(engine.run().ok());
  StateCounts c = counts();
  EXPECT_EQ(c.leased, 0u);
  EXPECT_EQ(c.dead, 0u);
  EXPECT_EQ(c.queued, 10u);
  EXPECT_TRUE(fs::is_empty(store_->spool_dir()));
}

TEST_F(EngineTest, BatchModeWaitsForTheWholeBatch) {
  opt_.mode = WindowMode::batch;
  enqueue(12);
  int in_flight_at_start = -1;
  bool overlapped = false;
  FakeFetcher* self = nullptr;
  FakeFetcher fetcher(clock_, [&](const FetchRequest&, int) {
    // Within a batch each completion leaves one transfer fewer; nothing new starts
    // until the batch is empty (the window mode would refill at once and fail this).
    int now = static_cast<int>(self->in_flight());
    if (in_flight_at_start > 0 && now != in_flight_at_start - 1) overlapped = true;
    in_flight_at_start = now;
    return FakeResponse{};
  });
  self = &fetcher;
  ASSERT_TRUE(run(fetcher, *store_, 4).ok());
  EXPECT_EQ(counts().done, 12u);
  EXPECT_FALSE(overlapped);
  EXPECT_EQ(fetcher.max_in_flight("img.test:80"), 4);
}

TEST_F(EngineTest, WindowModeRefillsAFreedSlotAtOnce) {
  enqueue(12);
  int prev = -1;
  int refills = 0;
  FakeFetcher* self = nullptr;
  FakeFetcher fetcher(clock_, [&](const FetchRequest&, int) {
    int now = static_cast<int>(self->in_flight());
    if (prev == 3 && now == 3) ++refills;  // the slot freed last time was refilled at once
    prev = now;
    return FakeResponse{};
  });
  self = &fetcher;
  ASSERT_TRUE(run(fetcher, *store_, 4).ok());
  EXPECT_EQ(counts().done, 12u);
  EXPECT_GE(refills, 7);
}

TEST_F(EngineTest, NonImagesAreDeadAsNotImageAndNotStored) {
  enqueue(3);
  FakeFetcher fetcher(clock_, [](const FetchRequest& r, int) {
    FakeResponse resp;
    if (r.url.find("/1.jpg") != std::string::npos) {
      resp.content_type = "text/html";
      resp.body = "<html>login page</html>";
    }
    if (r.url.find("/2.jpg") != std::string::npos) resp.body = "not really a jpeg";
    return resp;
  });
  ASSERT_TRUE(run(fetcher, *store_).ok());
  EXPECT_EQ(counts().done, 1u);
  EXPECT_EQ(counts().dead, 2u);
  for (const auto& r : records()) {
    if (r.state == JobState::dead) {
      EXPECT_EQ(r.error_code, "not_image");
      EXPECT_FALSE(fs::exists(root_ / (r.id + ".jpg")));
    }
  }
  EXPECT_TRUE(fs::is_empty(store_->spool_dir()));
}

TEST_F(EngineTest, ASuspendedAccountOpensTheCircuitAndNothingIsDeadLettered) {
  enqueue(200);
  int served = 0;
  int forbidden = 0;
  int64_t suspended_until = 0;
  FakeFetcher fetcher(clock_, [&](const FetchRequest&, int) {
    FakeResponse resp;
    // After 50 answers the account is suspended for two minutes: 403 to everything.
    if (++served == 50) suspended_until = clock_.now_ms() + 120'000;
    if (clock_.now_ms() < suspended_until) {
      resp.error = http_error(403, "account suspended");
      resp.status = 403;
      ++forbidden;
    }
    return resp;
  });
  ASSERT_TRUE(run(fetcher, *store_, 5).ok());
  StateCounts c = counts();
  EXPECT_EQ(c.done, 200u);
  EXPECT_EQ(c.dead, 0u);
  EXPECT_GT(forbidden, 10);
  EXPECT_GE(gate_state_["img.test:80"].circuits_opened, 1u);
  EXPECT_GT(progress_.deferred, 0u);
  // Probes, not a stream of requests, while the account was suspended.
  EXPECT_LT(forbidden, 60);
  for (const auto& r : records()) EXPECT_LE(r.attempts, 3) << r.id;
}

TEST_F(EngineTest, ConservationHoldsAfterAMixedRun) {
  enqueue(30);
  FakeFetcher fetcher(clock_, [](const FetchRequest& r, int call) {
    FakeResponse resp;
    size_t h = std::hash<std::string>{}(r.url);
    if (h % 3 == 0)
      resp.error = http_error(410, r.url);
    else if (h % 3 == 1 && call == 1)
      resp.error = make_error(Reason::reset, r.url);
    return resp;
  });
  ASSERT_TRUE(run(fetcher, *store_).ok());
  StateCounts c = counts();
  EXPECT_EQ(c.total(), 30u);
  EXPECT_EQ(c.done + c.dead, 30u);
  EXPECT_EQ(c.dead, progress_.dead);
  EXPECT_EQ(c.done, progress_.done);
}

}  // namespace
}  // namespace sluice
