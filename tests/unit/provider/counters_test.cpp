#include "provider/counters.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace sluice {
namespace {

TEST(ProviderCounters, ConnectionOverTheCapIsAViolation) {
  Counters counters(/*cap=*/2, /*suspend=*/false);
  CountedConnection a(&counters), b(&counters);
  EXPECT_EQ(counters.snapshot().violations, 0);
  {
    CountedConnection c(&counters);
    ProviderStats s = counters.snapshot();
    EXPECT_EQ(s.violations, 1);
    EXPECT_EQ(s.open_connections, 3);
    EXPECT_FALSE(s.suspended);
  }
  ProviderStats s = counters.snapshot();
  EXPECT_EQ(s.open_connections, 2);
  EXPECT_EQ(s.max_open_connections, 3);
  EXPECT_EQ(s.connections_total, 3);
}

TEST(ProviderCounters, SuspendsOnTheFirstViolation) {
  Counters counters(1, /*suspend=*/true);
  CountedRequest r1, r2;
  r1.start(&counters);
  EXPECT_FALSE(counters.suspended());
  r2.start(&counters);
  EXPECT_TRUE(counters.suspended());
  ProviderStats s = counters.snapshot();
  EXPECT_EQ(s.max_in_flight, 2);
  EXPECT_EQ(s.requests_total, 2);
  r2.finish();
  r2.finish();  // idempotent
  EXPECT_EQ(counters.snapshot().in_flight, 1);
}

TEST(ProviderCounters, NoCapNoViolations) {
  Counters counters(0, true);
  std::vector<std::unique_ptr<CountedConnection>> many;
  for (int i = 0; i < 100; ++i) many.push_back(std::make_unique<CountedConnection>(&counters));
  EXPECT_EQ(counters.snapshot().violations, 0);
  EXPECT_FALSE(counters.suspended());
}

TEST(ProviderCounters, UncountedGuardsCountNothing) {
  Counters counters(1, true);
  CountedConnection a(nullptr), b(nullptr);
  CountedRequest r;
  r.start(nullptr);
  EXPECT_EQ(counters.snapshot().open_connections, 0);
  EXPECT_EQ(counters.snapshot().requests_total, 0);
}

TEST(ProviderCounters, ResetKeepsWhatIsOpen) {
  Counters counters(1, true);
  CountedConnection a(&counters), b(&counters);
  counters.response_written(200);
  counters.client_left();
  ASSERT_TRUE(counters.suspended());
  b.release();
  counters.reset();
  ProviderStats s = counters.snapshot();
  EXPECT_EQ(s.open_connections, 1);
  EXPECT_EQ(s.max_open_connections, 1);
  EXPECT_EQ(s.connections_total, 0);
  EXPECT_EQ(s.violations, 0);
  EXPECT_FALSE(s.suspended);
  EXPECT_TRUE(s.by_status.empty());
  EXPECT_EQ(s.client_left, 0);
}

TEST(ProviderCounters, StatsJsonHasEveryField) {
  Counters counters(20, false);
  CountedConnection a(&counters);
  counters.response_written(200);
  counters.response_written(200);
  counters.response_written(404);
  counters.client_left();
  auto j = nlohmann::json::parse(stats_json(counters.snapshot()));
  EXPECT_EQ(j["cap"], 20);
  EXPECT_EQ(j["open_connections"], 1);
  EXPECT_EQ(j["max_open_connections"], 1);
  EXPECT_EQ(j["in_flight"], 0);
  EXPECT_EQ(j["max_in_flight"], 0);
  EXPECT_EQ(j["connections_total"], 1);
  EXPECT_EQ(j["requests_total"], 0);
  EXPECT_EQ(j["by_status"]["200"], 2);
  EXPECT_EQ(j["by_status"]["404"], 1);
  EXPECT_EQ(j["client_left"], 1);
  EXPECT_EQ(j["violations"], 0);
  EXPECT_EQ(j["suspended"], false);
  EXPECT_EQ(j["suspended_remaining_ms"], 0);
  EXPECT_TRUE(j["faults"].is_object());
  EXPECT_EQ(j.size(), 13u);
}

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ProviderCounters, SuspendForLiftsByItselfOnTheClock) {
  FakeClock clock;
  Counters counters(/*cap=*/1, /*suspend=*/false, seconds(2), &clock);
  CountedConnection a(&counters);
  EXPECT_FALSE(counters.suspended());
  CountedConnection b(&counters);  // one too many
  ProviderStats s = counters.snapshot();
  EXPECT_TRUE(s.suspended);
  EXPECT_EQ(s.suspended_remaining_ms, 2000);
  clock.advance_ms(1999);
  EXPECT_TRUE(counters.suspended());
  EXPECT_EQ(counters.snapshot().suspended_remaining_ms, 1);
  clock.advance_ms(1);
  EXPECT_FALSE(counters.suspended());
  s = counters.snapshot();
  EXPECT_FALSE(s.suspended);
  EXPECT_EQ(s.suspended_remaining_ms, 0);
  EXPECT_EQ(s.violations, 1);  // recovering forgets nothing
}

TEST(ProviderCounters, EachViolationExtendsATimedSuspension) {
  FakeClock clock;
  Counters counters(1, false, seconds(1), &clock);
  CountedRequest r1, r2, r3;
  r1.start(&counters);
  r2.start(&counters);  // a violation: suspended until t=1000
  clock.advance_ms(600);
  r3.start(&counters);  // another: until t=1600
  EXPECT_EQ(counters.snapshot().suspended_remaining_ms, 1000);
  clock.advance_ms(999);
  EXPECT_TRUE(counters.suspended());
  clock.advance_ms(1);
  EXPECT_FALSE(counters.suspended());
}

TEST(ProviderCounters, SuspendForWorksWithoutAViolation) {
  FakeClock clock;
  Counters counters(0, false, {}, &clock);
  counters.suspend_for(seconds(3));
  EXPECT_TRUE(counters.suspended());
  counters.suspend_for(seconds(1));  // a shorter one keeps the longer
  EXPECT_EQ(counters.snapshot().suspended_remaining_ms, 3000);
  clock.advance_ms(3000);
  EXPECT_FALSE(counters.suspended());
  EXPECT_EQ(counters.snapshot().violations, 0);

  counters.suspend_for(seconds(5));
  counters.suspend_for(milliseconds(0));  // lifts it
  EXPECT_FALSE(counters.suspended());
}

TEST(ProviderCounters, PermanentSuspensionHasNoEndUntilLiftedOrReset) {
  FakeClock clock;
  Counters counters(1, /*suspend=*/true, {}, &clock);
  CountedConnection a(&counters), b(&counters);
  clock.advance_ms(86'400'000);
  ProviderStats s = counters.snapshot();
  EXPECT_TRUE(s.suspended);
  EXPECT_EQ(s.suspended_remaining_ms, -1);
  counters.suspend_for(milliseconds(0));
  EXPECT_FALSE(counters.suspended());
  CountedConnection c(&counters);  // violates again
  EXPECT_TRUE(counters.suspended());
  counters.reset();
  EXPECT_FALSE(counters.suspended());
}

TEST(ProviderCounters, FaultsAreListedCountedAndReset) {
  Counters counters(0, false);
  counters.declare_fault("reset");
  counters.declare_fault("drip");
  counters.fault_taken("reset");
  counters.fault_taken("reset");
  counters.declare_fault("reset");  // declaring again keeps the count
  auto j = nlohmann::json::parse(stats_json(counters.snapshot()));
  EXPECT_EQ(j["faults"]["reset"], 2);
  EXPECT_EQ(j["faults"]["drip"], 0);
  counters.reset();
  j = nlohmann::json::parse(stats_json(counters.snapshot()));
  EXPECT_EQ(j["faults"]["reset"], 0);
  EXPECT_EQ(j["faults"].size(), 2u);
}

TEST(ProviderCounters, GetsAreCountedPerPathUntilReset) {
  Counters counters(0, false);
  EXPECT_EQ(counters.next_get("/img/a.jpg"), 1);
  EXPECT_EQ(counters.count_get("/img/a.jpg"), 1);
  EXPECT_EQ(counters.count_get("/img/a.jpg"), 2);
  EXPECT_EQ(counters.count_get("/img/b.jpg"), 1);
  EXPECT_EQ(counters.next_get("/img/a.jpg"), 3);
  EXPECT_EQ(counters.next_get("/img/a.jpg"), 3);  // peeking counts nothing
  counters.reset();
  EXPECT_EQ(counters.count_get("/img/a.jpg"), 1);
}

}  // namespace
}  // namespace sluice
