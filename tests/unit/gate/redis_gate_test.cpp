// RedisGate against a real redis-server: several gates on one server are several workers
// sharing one cap.
#include "gate/redis_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "gate/gate_test_util.h"
#include "queue/redis_server.h"

namespace sluice {
namespace {

using testing::RedisServer;
using testing::shared_redis_server;

std::string unique_prefix() {
  static std::atomic<int> n{0};
  return "gate-test-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
}

std::unique_ptr<RedisGate> make_gate(const RedisAddress& address, int cap, const Clock& clock,
                                     const std::string& prefix, const std::string& worker,
                                     int64_t ttl_ms = 10'000, int64_t lapse_hold_ms = 30'000,
                                     int64_t refused_poll_ms = 0, int64_t close_grace_ms = 0) {
  RedisOptions ro;
  ro.connect_timeout_ms = 500;
  ro.command_timeout_ms = 1'000;
  auto conn = RedisConnection::open(address, ro, clock, nullptr);
  EXPECT_TRUE(conn.ok()) << conn.error().to_string();
  if (!conn.ok()) return nullptr;
  RedisGateOptions o;
  o.prefix = prefix;
  o.worker = worker;
  o.lease_ttl_ms = ttl_ms;
  o.lapse_hold_ms = lapse_hold_ms;
  o.refused_poll_ms = refused_poll_ms;  // 0: these tests ask again at once
  o.close_grace_ms = close_grace_ms;    // 0: a closed connection's slot goes back at once
  return std::make_unique<RedisGate>(std::move(*conn), gate_test::limits_for(cap), o, clock,
                                     nullptr);
}

// Workers "a" and "b" sharing one cap, on the shared server under a fresh prefix; both
// null (and the test failed) when the server or a connection is not there. b asks Redis
// again refused_poll_ms after a refusal; a keeps a closed connection's slot for
// a_close_grace_ms.
struct TwoWorkers {
  std::unique_ptr<RedisGate> a, b;
};
TwoWorkers two_workers(int cap, const Clock& clock, int64_t ttl_ms = 10'000,
                       int64_t lapse_hold_ms = 30'000, int64_t refused_poll_ms = 0,
                       int64_t a_close_grace_ms = 0) {
  RedisServer* server = shared_redis_server();
  EXPECT_NE(server, nullptr);
  if (server == nullptr) return {};
  const std::string prefix = unique_prefix();
  TwoWorkers w{make_gate(server->address(), cap, clock, prefix, "a", ttl_ms, lapse_hold_ms, 0,
                         a_close_grace_ms),
               make_gate(server->address(), cap, clock, prefix, "b", ttl_ms, lapse_hold_ms,
                         refused_poll_ms)};
  if (!w.a || !w.b) return {};
  return w;
}

// Workers "a" (a closed connection's slot stays its own for close_grace_ms) and "b", cap 1,
// after a took the slot, opened a connection, ended its request and closed the connection
// just now; both null (and the test failed) when something was not there.
TwoWorkers after_a_closed_its_connection(const Clock& clock, int64_t close_grace_ms) {
  TwoWorkers w = two_workers(1, clock, 10'000, 30'000, 0, close_grace_ms);
  if (!w.a) return {};
  const bool opened = w.a->try_acquire(gate_test::kHost, clock.steady_ms()) &&
                      w.a->connection_opening(gate_test::kHost);
  EXPECT_TRUE(opened) << "worker a could not take the slot and open a connection";
  if (!opened) return {};
  w.a->release(gate_test::kHost);
  w.a->connection_closed(gate_test::kHost);  // e.g. a transfer that closes its connection
  return w;
}

// Polls cond until it holds or timeout_ms of real time pass.
template <typename F>
bool eventually(F cond, int64_t timeout_ms) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return cond();
}

int64_t real_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

TEST(RedisGate, TwoWorkersNeverExceedTheCapTogether) {
  FakeClock clock;
  auto [a, b] = two_workers(5, clock);
  ASSERT_TRUE(a && b);
  // Random acquires, releases, connection opens and closes on two workers; after each step
  // the slots they use together stay within the cap.
  std::mt19937 rng(7);
  int in_flight[2] = {0, 0}, open[2] = {0, 0};
  int granted = 0, refused = 0;
  for (int step = 0; step < 400; ++step) {
    const int w = static_cast<int>(rng() % 2);
    RedisGate& g = w == 0 ? *a : *b;
    switch (rng() % 5) {
      case 0:
      case 1:
        if (g.try_acquire(gate_test::kHost, clock.steady_ms())) {
          ++in_flight[w];
          ++granted;
        } else {
          ++refused;
        }
        break;
      case 2:
        if (in_flight[w] > 0) {
          g.release(gate_test::kHost);
          g.feedback(gate_test::kHost, gate_test::ok(), clock.steady_ms());
          --in_flight[w];
        }
        break;
      case 3:
        if (open[w] < in_flight[w] && g.connection_opening(gate_test::kHost)) ++open[w];
        break;
      case 4:
        if (open[w] > 0) {
          g.connection_closed(gate_test::kHost);
          --open[w];
        }
        break;
    }
    if (rng() % 3 == 0) (void)g.maintain(clock.steady_ms());
    clock.advance_ms(1);
    const int used = std::max(in_flight[0], open[0]) + std::max(in_flight[1], open[1]);
    ASSERT_LE(used, 5) << "step " << step;
    ASSERT_LE(a->leased(gate_test::kHost) + b->leased(gate_test::kHost), 5) << "step " << step;
  }
  EXPECT_GT(granted, 50);
  EXPECT_GT(refused, 10);  // the cap was met
  EXPECT_EQ(a->leases_lost() + b->leases_lost(), 0u);
}

TEST(RedisGate, ReleaseFreesTheSlotForAnotherWorker) {
  FakeClock clock;
  auto [a, b] = two_workers(2, clock);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->try_acquire(gate_test::kHost, 0));
  ASSERT_TRUE(a->try_acquire(gate_test::kHost, 0));
  EXPECT_FALSE(b->try_acquire(gate_test::kHost, 0));  // a holds both
  a->release(gate_test::kHost);
  EXPECT_FALSE(b->try_acquire(gate_test::kHost, 0));  // given back at a's next turn, not before
  EXPECT_TRUE(a->maintain(0).empty());
  EXPECT_EQ(a->leased(gate_test::kHost), 1);
  EXPECT_TRUE(b->try_acquire(gate_test::kHost, 0));
  EXPECT_FALSE(a->try_acquire(gate_test::kHost, 0));
}

// Regression: a worker refused by Redis is due to ask again refused_poll_ms after it asked.
// When that time passed within the engine's turn (a slow turn on a busy machine), the gate
// said nothing time-based held the host, and the engine slept until its next progress tick:
// the slots other workers gave back stayed unused for up to a second.
TEST(RedisGate, ARefusedWorkerIsDueToAskAgainEvenWhenItsTimePassedWithinTheTurn) {
  FakeClock clock;
  auto [a, b] = two_workers(1, clock, 10'000, 30'000, /*refused_poll_ms=*/10);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(b->next_admit_ms(gate_test::kHost, clock.steady_ms()), 0);  // never asked: nothing due
  ASSERT_TRUE(a->try_acquire(gate_test::kHost, clock.steady_ms()));
  EXPECT_FALSE(
      b->try_acquire(gate_test::kHost, clock.steady_ms()));  // Redis refuses: a holds the slot
  EXPECT_EQ(b->next_admit_ms(gate_test::kHost, clock.steady_ms()), clock.steady_ms() + 10);
  clock.advance_ms(15);  // the turn went on past the time to ask again
  EXPECT_EQ(b->next_admit_ms(gate_test::kHost, clock.steady_ms()), clock.steady_ms() + 1);
  a->release(gate_test::kHost);
  (void)a->maintain(clock.steady_ms());
  EXPECT_TRUE(b->try_acquire(gate_test::kHost, clock.steady_ms()));
  // Full on its own side now (cap 1): a release, not the clock, changes that.
  EXPECT_FALSE(b->try_acquire(gate_test::kHost, clock.steady_ms()));
  EXPECT_EQ(b->next_admit_ms(gate_test::kHost, clock.steady_ms()), 0);
}

TEST(RedisGate, AnIdleConnectionKeepsItsSlotAndItsNextRequestReusesIt) {
  FakeClock clock;
  auto [a, b] = two_workers(1, clock);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->try_acquire(gate_test::kHost, 0));
  ASSERT_TRUE(a->connection_opening(gate_test::kHost));
  a->release(gate_test::kHost);  // the request ended; its connection stays open, idle
  (void)a->maintain(0);
  EXPECT_EQ(a->leased(gate_test::kHost), 1);
  EXPECT_FALSE(b->try_acquire(gate_test::kHost, 0));
  EXPECT_FALSE(b->connection_opening(gate_test::kHost));
  EXPECT_TRUE(a->try_acquire(gate_test::kHost, 0));  // reuses its own slot
  a->release(gate_test::kHost);
  a->connection_closed(gate_test::kHost);
  (void)a->maintain(0);
  EXPECT_EQ(a->leased(gate_test::kHost), 0);
  EXPECT_TRUE(b->try_acquire(gate_test::kHost, 0));
}

// Regression (test_serve_redis.sh, 1 run in 7): a worker closed an idle connection and gave
// its slot back at once; another worker opened a connection in its place before the
// provider had seen the close, and the provider counted one over the cap (403, suspended).
// Now a closed connection's slot stays its worker's for close_grace_ms: neither another
// worker nor the worker itself opens a connection in its place before then.
TEST(RedisGate, AClosedConnectionsSlotIsGivenBackOnlyAfterItsGrace) {
  FakeClock clock;
  auto [a, b] = after_a_closed_its_connection(clock, /*close_grace_ms=*/100);
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(a->maintain(clock.steady_ms()).empty());
  EXPECT_EQ(a->leased(gate_test::kHost), 1);
  EXPECT_FALSE(b->try_acquire(gate_test::kHost, clock.steady_ms()));
  EXPECT_FALSE(a->try_acquire(gate_test::kHost, clock.steady_ms()));  // it would open one
  EXPECT_FALSE(a->connection_opening(gate_test::kHost));
  clock.advance_ms(100);
  EXPECT_TRUE(a->maintain(clock.steady_ms()).empty());
  EXPECT_EQ(a->leased(gate_test::kHost), 0);
  EXPECT_TRUE(b->try_acquire(gate_test::kHost, clock.steady_ms()));
}

// A worker that ends within the grace gives the slot back as a hold that ends with it.
TEST(RedisGate, AClosedConnectionsGraceOutlivesItsWorkerAsAHold) {
  FakeClock clock;
  auto [a, b] = after_a_closed_its_connection(clock, /*close_grace_ms=*/300);
  ASSERT_TRUE(a && b);
  const int64_t closed = real_ms();
  ASSERT_TRUE(a->release_all().ok());
  EXPECT_EQ(a->leased(gate_test::kHost), 0);
  EXPECT_FALSE(b->try_acquire(gate_test::kHost, clock.steady_ms()));  // held, not free
  EXPECT_EQ(gate_test::state(*b).held, 1);
  ASSERT_TRUE(
      eventually([&] { return b->try_acquire(gate_test::kHost, clock.steady_ms()); }, 5'000));
  EXPECT_GE(real_ms() - closed, 300 - 50);  // 50 ms: the two clocks' tick
}

TEST(RedisGate, AHoldIsGlobal) {
  FakeClock clock;
  auto [a, b] = two_workers(2, clock);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->try_acquire(gate_test::kHost, 0));
  a->release(gate_test::kHost);
  a->hold(gate_test::kHost, 60'000);  // the request was cut: the provider may still serve it
  (void)a->maintain(0);
  EXPECT_EQ(a->leased(gate_test::kHost), 0);
  EXPECT_TRUE(b->try_acquire(gate_test::kHost, 0));
  EXPECT_FALSE(b->try_acquire(gate_test::kHost, 0));  // the held slot counts for b too
  EXPECT_EQ(gate_test::state(*b).held, 1);
  EXPECT_EQ(gate_test::state(*a).holds_taken, 1u);
}

TEST(RedisGate, ALapsedLeaseIsHeldNotFreeUntilTheHoldEnds) {
  SystemClock clock;
  const int64_t ttl = 300, hold = 1'200;
  auto [a, b] = two_workers(2, clock, ttl, hold);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->try_acquire(gate_test::kHost, clock.steady_ms()));
  ASSERT_TRUE(a->try_acquire(gate_test::kHost, clock.steady_ms()));
  const int64_t taken = real_ms();
  a->forget_for_test();  // a crashes: its lease is never renewed nor given back
  a.reset();
  // Past the lease's expiry, its slots are held, not free: b gets nothing...
  ASSERT_TRUE(eventually([&] { return real_ms() - taken > ttl + 100; }, 5'000));
  EXPECT_FALSE(b->try_acquire(gate_test::kHost, clock.steady_ms()));
  EXPECT_EQ(gate_test::state(*b).held, 2);
  // ...until the hold (from the expiry) is over.
  ASSERT_TRUE(
      eventually([&] { return b->try_acquire(gate_test::kHost, clock.steady_ms()); }, 10'000));
  EXPECT_GE(real_ms() - taken, ttl + hold - 50);  // 50 ms: the two clocks' tick
}

TEST(RedisGate, RenewingKeepsTheLease) {
  SystemClock clock;
  const int64_t ttl = 600;  // renewed every 150 ms
  auto [a, b] = two_workers(1, clock, ttl, 10'000);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->try_acquire(gate_test::kHost, clock.steady_ms()));
  const int64_t start = real_ms();
  // Three TTLs, a's turn every 10 ms: its lease never lapses, b never gets the slot.
  while (real_ms() - start < 3 * ttl) {
    EXPECT_TRUE(a->maintain(clock.steady_ms()).empty());
    EXPECT_FALSE(b->try_acquire(gate_test::kHost, clock.steady_ms()));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(a->leased(gate_test::kHost), 1);
  EXPECT_EQ(a->leases_lost(), 0u);
  EXPECT_EQ(gate_test::state(*b).held, 0);
}

TEST(RedisGate, AWorkerThatCannotRenewInTimeStopsUsingItsSlots) {
  std::string why;
  auto server = RedisServer::start({}, &why);
  ASSERT_NE(server, nullptr) << why;
  FakeClock clock;
  auto a = make_gate(server->address(), 2, clock, unique_prefix(), "a", 10'000);
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->try_acquire(gate_test::kHost, clock.steady_ms()));
  ASSERT_TRUE(a->connection_opening(gate_test::kHost));
  server->stop(/*crash=*/true);  // Redis unreachable: renewals fail
  clock.advance_ms(3'000);
  EXPECT_TRUE(a->maintain(clock.steady_ms()).empty());  // renewal failed, deadline not yet
  clock.advance_ms(4'499);
  EXPECT_TRUE(a->maintain(clock.steady_ms()).empty());
  clock.advance_ms(1);  // 3/4 of the TTL since the last renewal was sent
  EXPECT_EQ(a->maintain(clock.steady_ms()), std::vector<std::string>{gate_test::kHost});
  EXPECT_EQ(a->leased(gate_test::kHost), 0);
  // Until the cut transfer and its connection are gone, nothing new goes to that host.
  EXPECT_FALSE(a->try_acquire(gate_test::kHost, clock.steady_ms()));
  EXPECT_FALSE(a->connection_opening(gate_test::kHost));
  a->release(gate_test::kHost);
  a->connection_closed(gate_test::kHost);
  // Usable again, but Redis is still unreachable: refused, never granted on error.
  EXPECT_FALSE(a->try_acquire(gate_test::kHost, clock.steady_ms()));
  EXPECT_EQ(a->leases_lost(), 1u);
}

TEST(RedisGate, AfterAStallTheWorkerChecksItsLeaseBeforeSendingAnything) {
  RedisServer* server = shared_redis_server();
  ASSERT_NE(server, nullptr);
  FakeClock clock;
  const std::string prefix = unique_prefix();
  auto a = make_gate(server->address(), 2, clock, prefix, "a", 10'000);
  ASSERT_TRUE(a);
  ASSERT_TRUE(a->try_acquire(gate_test::kHost, clock.steady_ms()));
  EXPECT_TRUE(a->may_send(gate_test::kHost));
  clock.advance_ms(20'000);  // the process was paused longer than the TTL
  // The first calls after the stall, before any maintain(): nothing may be sent on the
  // request already admitted, nothing new is admitted; the host is lost.
  EXPECT_FALSE(a->may_send(gate_test::kHost));
  EXPECT_FALSE(a->try_acquire(gate_test::kHost, clock.steady_ms()));
  EXPECT_EQ(a->maintain(clock.steady_ms()), std::vector<std::string>{gate_test::kHost});
  a->release(gate_test::kHost);  // the engine cut the transfer
  EXPECT_TRUE(a->maintain(clock.steady_ms()).empty());
  EXPECT_EQ(a->leases_lost(), 1u);
}

TEST(RedisGate, UnreachableRedisRefusesEveryNewSlot) {
  std::string why;
  auto server = RedisServer::start({}, &why);
  ASSERT_NE(server, nullptr) << why;
  FakeClock clock;
  auto a = make_gate(server->address(), 5, clock, unique_prefix(), "a");
  ASSERT_TRUE(a);
  server->stop(/*crash=*/true);
  EXPECT_FALSE(a->try_acquire(gate_test::kHost, clock.steady_ms()));
  clock.advance_ms(1'000);
  EXPECT_FALSE(a->connection_opening(gate_test::kHost));
  EXPECT_EQ(a->leased(gate_test::kHost), 0);
}

}  // namespace
}  // namespace sluice
