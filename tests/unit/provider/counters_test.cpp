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
}

TEST(ProviderCounters, StatsJsonHasEveryField) {
  Counters counters(20, false);
  CountedConnection a(&counters);
  counters.response_written(200);
  counters.response_written(200);
  counters.response_written(404);
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
  EXPECT_EQ(j["violations"], 0);
  EXPECT_EQ(j["suspended"], false);
  EXPECT_EQ(j.size(), 10u);
}

}  // namespace
}  // namespace sluice
