// An engine with nothing in flight must look at the queue again when its lease time comes,
// even when that time passed within the turn (the queue's own calls take time), not at the
// next progress tick (seen: up to a second of idle tail for every worker of a Redis queue
// but the last).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/engine_fixture.h"
#include "engine/forwarding_gate.h"
#include "engine/forwarding_queue.h"

namespace sluice {
namespace {

// A worker's view of a shared queue (LeaseKeeper): nothing is queued for it, but until
// others_until_ms another worker holds leases, so next_ready_ms() answers "now" (a job may
// come back if that worker dies). Each next_ready_ms() call takes call_ms of the fake clock
// after its answer, like a round trip to Redis.
class OthersHoldQueue final : public ForwardingQueue {
 public:
  OthersHoldQueue(FakeClock& clock, int64_t others_until_ms, int64_t call_ms)
      : clock_(clock), until_(others_until_ms), call_ms_(call_ms) {}
  Result<std::optional<int64_t>> next_ready_ms() override {
    const int64_t now = clock_.now_ms();
    clock_.advance_ms(call_ms_);
    if (now < until_) return std::optional<int64_t>(now);
    return ForwardingQueue::next_ready_ms();
  }

 private:
  FakeClock& clock_;
  int64_t until_;
  int64_t call_ms_;
};

// A gate that writes "maintain" into a trace at each call.
class TracingGate final : public ForwardingGate {
 public:
  TracingGate(Gate& inner, std::vector<std::string>& trace)
      : ForwardingGate(inner), trace_(trace) {}
  std::vector<std::string> maintain(int64_t now) override {
    trace_.push_back("maintain");
    return ForwardingGate::maintain(now);
  }

 private:
  std::vector<std::string>& trace_;
};

class EngineIdleWakeTest : public EngineFixture {};

// A worker sharing a cap (close_idle) that has nothing left in hand while another worker
// still holds leases: its idle connections would keep slots the other one needs. It closes
// them once, with nothing running, and the gate's maintain() follows in the same turn (before
// the loop waits), so their slots go back at once.
TEST_F(EngineIdleWakeTest, AnIdleWorkerClosesItsIdleConnectionsBeforeTheGateMaintains) {
  for (bool close_idle : {false, true}) {
    opt_.close_idle = close_idle;
    opt_.idle_poll_ms = 10;
    const int64_t start = clock_.now_ms();
    OthersHoldQueue queue(clock_, start + 200, 1);
    std::vector<JobInput> jobs;
    for (int i = 0; i < 3; ++i) {
      jobs.push_back({"j" + std::to_string(i) + (close_idle ? "c" : ""),
                      "http://img.example/" + std::to_string(i) + (close_idle ? "c" : "") + ".jpg",
                      ""});
    }
    ASSERT_TRUE(queue.enqueue(jobs, clock_.now_ms()).ok());
    limits_ = HostLimits(2);
    LocalGate local(limits_, circuit_, &clock_);
    std::vector<std::string> trace;
    TracingGate gate(local, trace);
    FakeFetcher fetcher(clock_, [](const FetchRequest&, int) { return FakeResponse{}; });
    fetcher.trace_into(&trace);
    Engine engine(queue, gate, local, fetcher, *store_, keys_, limits_, clock_, log_, opt_);
    Status s = engine.run();
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    EXPECT_EQ(fetcher.started(), 3u);
    if (!close_idle) {
      EXPECT_EQ(fetcher.idle_closes(), 0);
      continue;
    }
    // Once: the worker stayed idle for many turns (the other's leases), and started nothing
    // after (FakeFetcher refuses while a transfer runs, and does not count that).
    EXPECT_EQ(fetcher.idle_closes(), 1);
    auto at = std::find(trace.begin(), trace.end(), "close_idle");
    ASSERT_NE(at, trace.end());
    EXPECT_GT(std::count(at, trace.end(), "wait"), 3);  // idle turns followed
    ASSERT_NE(std::next(at), trace.end());
    EXPECT_EQ(*std::next(at), "maintain");  // same turn, before the loop waits
  }
}

// Regression: the engine leased nothing, the queue said "look again now", the lease time
// then passed within the same turn (the queue's own calls take time), and the loop slept
// until the next progress tick: a worker of a Redis queue lingered up to a second after
// the last job. It must finish soon after the other worker's leases end.
TEST_F(EngineIdleWakeTest, AWorkerWithNothingToDoFinishesSoonAfterTheOthers) {
  opt_.progress_interval_ms = 1'000;
  opt_.idle_poll_ms = 100;
  const int64_t start = clock_.now_ms();
  OthersHoldQueue queue(clock_, start + 50, 2);
  limits_ = HostLimits(1);
  LocalGate gate(limits_, circuit_, &clock_);
  FakeFetcher fetcher(clock_, [](const FetchRequest&, int) { return FakeResponse{}; });
  Engine engine(queue, gate, gate, fetcher, *store_, keys_, limits_, clock_, log_, opt_);
  Status s = engine.run();
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  const int64_t took = clock_.now_ms() - start;
  EXPECT_LT(took, 50 + 200) << "the other worker was done after 50 ms; this one finished after "
                            << took << " ms";
}

}  // namespace
}  // namespace sluice
