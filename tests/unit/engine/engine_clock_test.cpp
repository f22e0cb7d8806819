// The gate's timing runs on the steady clock (engine.h, "Clocks"): a step of the wall
// clock neither releases a paused host early nor stalls a rate-limited one.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <vector>

#include "engine/engine_fixture.h"
#include "store/faulty_store.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

// A FakeFetcher whose clock's wall time steps once, the first time the engine waits with
// nothing in flight after step() was armed: between one answer and the next admission.
class SteppingFetcher final : public Fetcher {
 public:
  SteppingFetcher(FakeClock& clock, FakeFetcher::Script script)
      : clock_(clock), inner_(clock, std::move(script)) {}

  void arm(int64_t wall_step_ms) { step_ms_ = wall_step_ms; }
  bool stepped() const { return stepped_; }

  void start(FetchRequest req) override { inner_.start(std::move(req)); }
  std::vector<FetchResult> wait(std::chrono::milliseconds max_wait) override {
    if (step_ms_ != 0 && inner_.in_flight() == 0) {
      clock_.step_wall_ms(step_ms_);
      step_ms_ = 0;
      stepped_ = true;
    }
    return inner_.wait(max_wait);
  }
  void wakeup() override {}
  size_t in_flight() const override { return inner_.in_flight(); }
  void cancel_all() override {}

 private:
  FakeClock& clock_;
  FakeFetcher inner_;
  int64_t step_ms_ = 0;
  bool stepped_ = false;
};

constexpr int64_t kHour = 3'600'000;

class EngineClockTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    opt_.backoff_base_ms = 10;
    opt_.backoff_cap_ms = 10;
    limits_ = HostLimits(1);
  }

  void enqueue(int n) { add_jobs(n, "id", "http://img.test/"); }

  Status run(Fetcher& fetcher) {
    LocalGate gate(limits_);
    Engine engine(queue_, gate, gate, fetcher, *store_, keys_, limits_, clock_, log_, opt_);
    return engine.run();
  }

  std::map<std::string, std::vector<int64_t>> answered_at_;  // steady time of each answer
};

// Regression: the Retry-After pause was kept on the wall clock, so a wall-clock step
// forward let the next request go at once, into the pause the provider asked for.
TEST_F(EngineClockTest, ARetryAfterPauseHoldsThroughAWallClockStepForward) {
  enqueue(2);
  SteppingFetcher* self = nullptr;
  SteppingFetcher fetcher(clock_, [&](const FetchRequest& r, int call) {
    answered_at_[r.url].push_back(clock_.steady_ms());
    FakeResponse resp;
    if (r.url.find("/0.jpg") != std::string::npos && call == 1) {
      resp.error = http_error(429, r.url);
      resp.status = 429;
      resp.retry_after = "30";
      self->arm(kHour);  // the wall clock jumps an hour ahead during the pause
    }
    return resp;
  });
  self = &fetcher;
  ASSERT_TRUE(run(fetcher).ok());
  ASSERT_TRUE(fetcher.stepped());
  EXPECT_EQ(queue_.stats()->all.done, 2u);
  int64_t paused_at = answered_at_["http://img.test/0.jpg"].at(0);
  int64_t next = answered_at_["http://img.test/1.jpg"].at(0);
  EXPECT_GE(next - paused_at, 30'000) << "the host was released before its Retry-After pause";
}

// Regression: the same pause on the wall clock, stepped back an hour, held the host for an
// hour and thirty seconds.
TEST_F(EngineClockTest, ARetryAfterPauseEndsOnTimeThroughAWallClockStepBackward) {
  enqueue(2);
  SteppingFetcher* self = nullptr;
  SteppingFetcher fetcher(clock_, [&](const FetchRequest& r, int call) {
    answered_at_[r.url].push_back(clock_.steady_ms());
    FakeResponse resp;
    if (r.url.find("/0.jpg") != std::string::npos && call == 1) {
      resp.error = http_error(503, r.url);
      resp.status = 503;
      resp.retry_after = "30";
      self->arm(-kHour);
    }
    return resp;
  });
  self = &fetcher;
  ASSERT_TRUE(run(fetcher).ok());
  ASSERT_TRUE(fetcher.stepped());
  int64_t paused_at = answered_at_["http://img.test/0.jpg"].at(0);
  int64_t next = answered_at_["http://img.test/1.jpg"].at(0);
  EXPECT_GE(next - paused_at, 30'000);
  EXPECT_LT(next - paused_at, 40'000) << "the host stalled on the wall-clock step";
}

// Regression: an open circuit's probe time was on the wall clock, so a step backward put
// the probe, and the whole host, off by an hour.
TEST_F(EngineClockTest, ACircuitProbeGoesOnTimeThroughAWallClockStepBackward) {
  limits_ = HostLimits(2);
  enqueue(20);
  int64_t opened_at = -1;
  int64_t first_success = -1;
  SteppingFetcher* self = nullptr;
  int answers = 0;
  SteppingFetcher fetcher(clock_, [&](const FetchRequest& r, int) {
    FakeResponse resp;
    if (++answers <= 12) {  // the account is suspended: 403 to everything, for a while
      resp.error = http_error(403, r.url);
      resp.status = 403;
      if (answers == 12) {
        opened_at = clock_.steady_ms();
        self->arm(-kHour);
      }
    } else if (first_success < 0) {
      first_success = clock_.steady_ms();
    }
    return resp;
  });
  self = &fetcher;
  ASSERT_TRUE(run(fetcher).ok());
  ASSERT_TRUE(fetcher.stepped());
  EXPECT_EQ(queue_.stats()->all.done, 20u);
  ASSERT_GE(first_success, 0);
  // The first probe goes a second after the circuit opened (CircuitOptions).
  EXPECT_LT(first_success - opened_at, 10'000) << "the probe waited for the wall clock";
}

// Regression: a store retry's time was on the wall clock, so with fetching paused for the
// store, a step backward paused the whole run for an hour.
TEST_F(EngineClockTest, AStoreRetryGoesOnTimeThroughAWallClockStepBackward) {
  enqueue(1);
  FaultyStore faulty(*store_);
  faulty.fail_next(1, make_error(Reason::store_io, "disk busy (injected)"));
  SteppingFetcher* self = nullptr;
  SteppingFetcher fetcher(clock_, [&](const FetchRequest&, int) {
    self->arm(-kHour);  // steps while the engine waits for the store's retry
    return FakeResponse{};
  });
  self = &fetcher;
  LocalGate gate(limits_);
  auto keys = KeyTemplate::parse("{id}{ext}");
  Engine engine(queue_, gate, gate, fetcher, faulty, *keys, limits_, clock_, log_, opt_);
  int64_t start = clock_.steady_ms();
  ASSERT_TRUE(engine.run().ok());
  ASSERT_TRUE(fetcher.stepped());
  EXPECT_EQ(faulty.puts(), 2);
  EXPECT_EQ(queue_.stats()->all.done, 1u);
  EXPECT_LT(clock_.steady_ms() - start, 10'000) << "the store retry waited for the wall clock";
}

// A rate-limited host keeps its rate through a wall-clock step backward.
TEST_F(EngineClockTest, ARateHoldsThroughAWallClockStepBackward) {
  limits_ = HostLimits(5);
  ASSERT_TRUE(limits_.add_rate_rule("img.test=1").ok());
  enqueue(5);
  SteppingFetcher* self = nullptr;
  SteppingFetcher fetcher(clock_, [&](const FetchRequest& r, int) {
    answered_at_[r.url].push_back(clock_.steady_ms());
    if (answered_at_.size() == 1) self->arm(-kHour);  // after the first answer
    return FakeResponse{};
  });
  self = &fetcher;
  int64_t start = clock_.steady_ms();
  ASSERT_TRUE(run(fetcher).ok());
  ASSERT_TRUE(fetcher.stepped());
  EXPECT_EQ(queue_.stats()->all.done, 5u);
  int64_t last = 0;
  for (const auto& [url, times] : answered_at_) last = std::max(last, times.back());
  // One request a second: the fifth about four seconds after the first.
  EXPECT_GE(last - start, 3'900);
  EXPECT_LT(last - start, 10'000) << "the rate-limited host stalled on the wall-clock step";
}

}  // namespace
}  // namespace sluice
