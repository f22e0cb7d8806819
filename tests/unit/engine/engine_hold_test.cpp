// Slots held for requests the fetcher cut (FetchResult::cut_host) and for an earlier
// run's requests: the engine holds them in the gate, sends nothing on them until they
// expire, and names them in its heartbeats so that the next run holds them on.
#include <gtest/gtest.h>

#include <filesystem>

#include "engine/engine_fixture.h"
#include "engine/forwarding_gate.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;
const std::string kHost = "img.test:80";

class EngineHoldTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    opt_.backoff_base_ms = 100;
    opt_.abandon_hold_ms = 5'000;
  }

  void enqueue(int n) { add_jobs(n, "j", "http://" + kHost + "/p/", kHost); }

  Status run(FakeFetcher& fetcher, int cap) {
    limits_ = HostLimits(cap);
    LocalGate gate(limits_, CircuitOptions{}, &clock_);
    Engine engine(queue_, gate, gate, fetcher, *store_, keys_, limits_, clock_, log_, opt_);
    engine.on_heartbeat([this](const Heartbeat& hb) { beats_.push_back(hb); });
    Status s = engine.run();
    gate_state_ = gate.snapshot()[kHost];
    return s;
  }

  std::vector<Heartbeat> beats_;
  HostGateState gate_state_;
};

// One slot; the first request is cut over --max-bytes. The provider may still be sending
// it, so the slot stays taken for --abandon-hold before the next request goes out.
TEST_F(EngineHoldTest, ACutRequestKeepsItsSlotForTheHold) {
  enqueue(3);
  FakeFetcher fetcher(clock_, [](const FetchRequest& r, int) {
    FakeResponse resp;
    if (r.url.ends_with("/0.jpg")) {
      resp.error = make_error(Reason::too_large, "over the limit: " + r.url);
      resp.cut = true;
    }
    return resp;
  });
  ASSERT_TRUE(run(fetcher, 1).ok());
  ASSERT_EQ(fetcher.start_ms().size(), 3u);
  const int64_t cut_at = fetcher.start_ms()[0] + 1;  // FakeFetcher answers 1 ms later
  EXPECT_GE(fetcher.start_ms()[1], cut_at + 5'000);
  EXPECT_LT(fetcher.start_ms()[2] - fetcher.start_ms()[1], 100);  // no cut: no hold
  EXPECT_EQ(gate_state_.holds_taken, 1u);
  EXPECT_EQ(queue_.stats()->all.done, 2u);
  EXPECT_EQ(queue_.stats()->all.dead, 1u);
}

// A failure the provider itself ended (a reset) leaves no request behind: no hold.
TEST_F(EngineHoldTest, AFailureTheProviderEndedHoldsNothing) {
  enqueue(3);
  FakeFetcher fetcher(clock_, [](const FetchRequest& r, int call) {
    FakeResponse resp;
    if (r.url.ends_with("/0.jpg") && call == 1) resp.error = make_error(Reason::reset, r.url);
    return resp;
  });
  ASSERT_TRUE(run(fetcher, 1).ok());
  ASSERT_GE(fetcher.start_ms().size(), 2u);
  EXPECT_LT(fetcher.start_ms()[1] - fetcher.start_ms()[0], 100);
  EXPECT_EQ(gate_state_.holds_taken, 0u);
  EXPECT_EQ(queue_.stats()->all.done, 3u);
}

// The slots an earlier run left held (its crash, its cut requests) block this run's
// first requests until they end; one of two slots held leaves the other free.
TEST_F(EngineHoldTest, AnEarlierRunsHoldsBlockUntilTheyEnd) {
  enqueue(4);
  opt_.holds[kHost] = SlotHold{1, clock_.now_ms() + 3'000};
  FakeFetcher fetcher(clock_, [](const FetchRequest&, int) { return FakeResponse{}; });
  ASSERT_TRUE(run(fetcher, 2).ok());
  EXPECT_EQ(fetcher.max_in_flight(kHost), 1);
  EXPECT_EQ(queue_.stats()->all.done, 4u);
}

TEST_F(EngineHoldTest, AHostHeldAtItsCapWaitsForTheHoldToEnd) {
  enqueue(2);
  const int64_t t0 = clock_.now_ms();
  opt_.holds[kHost] = SlotHold{2, t0 + 3'000};
  FakeFetcher fetcher(clock_, [](const FetchRequest&, int) { return FakeResponse{}; });
  ASSERT_TRUE(run(fetcher, 2).ok());
  ASSERT_EQ(fetcher.start_ms().size(), 2u);
  EXPECT_GE(fetcher.start_ms()[0], t0 + 3'000);
  EXPECT_EQ(queue_.stats()->all.done, 2u);
}

// Held slots outlive the run: its last heartbeat names them, with their end.
TEST_F(EngineHoldTest, TheLastHeartbeatCarriesTheHolds) {
  enqueue(1);
  FakeFetcher fetcher(clock_, [](const FetchRequest& r, int) {
    FakeResponse resp;
    resp.error = make_error(Reason::too_large, r.url);
    resp.cut = true;
    return resp;
  });
  ASSERT_TRUE(run(fetcher, 4).ok());
  ASSERT_FALSE(beats_.empty());
  const Heartbeat& last = beats_.back();
  EXPECT_TRUE(last.final);
  EXPECT_TRUE(last.busy.empty());
  ASSERT_EQ(last.holds.count(kHost), 1u);
  EXPECT_EQ(last.holds.at(kHost).slots, 1);
  EXPECT_GT(last.holds.at(kHost).until_ms, last.at_ms);
  EXPECT_LE(last.holds.at(kHost).until_ms, last.at_ms + 5'000);
  EXPECT_EQ(last.holds_taken.at(kHost), 1u);
  EXPECT_EQ(last.abandon_hold_ms, 5'000);
}

// A gate that holds slots outside the process (RedisGate) and reports them lost: the engine
// cuts every transfer at once (they are held like any cut request) and the jobs are fetched
// again later; nothing is lost.
class LosingGate final : public ForwardingGate {
 public:
  explicit LosingGate(Gate& inner) : ForwardingGate(inner) {}
  bool lose = false;  // the next maintain() reports kHost lost
  std::vector<std::string> maintain(int64_t) override {
    if (!lose) return {};
    lose = false;
    return {kHost};
  }
};

TEST_F(EngineHoldTest, LostSlotsCutEveryTransferAtOnce) {
  enqueue(4);
  opt_.abandon_hold_ms = 1'000;
  limits_ = HostLimits(2);
  LocalGate local(limits_, CircuitOptions{}, &clock_);
  LosingGate gate(local);
  int responses = 0;
  FakeFetcher fetcher(clock_, [&](const FetchRequest&, int) {
    if (++responses == 1) gate.lose = true;  // while the second transfer still runs
    return FakeResponse{};
  });
  fetcher.cut_on_cancel(true);
  auto keys = KeyTemplate::parse("{id}{ext}");
  ASSERT_TRUE(keys.ok());
  Engine engine(queue_, gate, local, fetcher, *store_, *keys, limits_, clock_, log_, opt_);
  ASSERT_TRUE(engine.run().ok());
  EXPECT_EQ(fetcher.cancels(), 1);
  EXPECT_EQ(fetcher.calls("http://" + kHost + "/p/1.jpg"), 2);  // cut, then fetched again
  EXPECT_EQ(local.snapshot()[kHost].holds_taken, 1u);           // the cut request was held
  auto stats = queue_.stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->all.done, 4u);
}

}  // namespace
}  // namespace sluice
