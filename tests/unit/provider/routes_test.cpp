#include "provider/routes.h"

#include <gtest/gtest.h>

#include "provider/body.h"
#include "provider/faults.h"

namespace sluice {
// Named, not anonymous: the sanitizer builds compile test files together (unity build).
namespace routes_test {

RequestView get(std::string_view path) { return {"GET", path, ""}; }
RequestView post(std::string_view path, std::string_view query = "") {
  return {"POST", path, query};
}

TEST(ProviderRoutes, ImagesStatusesAndUnknownPaths) {
  Counters counters(0, false);
  ProviderOptions options;
  options.size = SizeSpec{500, 500};
  MainRoutes routes(options, &counters);
  Reply img = routes.handle(get("/img/a.png"));
  EXPECT_EQ(img.status, 200);
  EXPECT_EQ(img.content_type, "image/png");
  EXPECT_TRUE(img.body == provider_body(options, "/img/a.png"));
  EXPECT_EQ(routes.handle(get("/status/503/a.jpg")).status, 503);
  EXPECT_EQ(routes.handle(get("/status/99/a.jpg")).status, 400);
  EXPECT_EQ(routes.handle(get("/status/600")).status, 400);
  EXPECT_EQ(routes.handle(get("/nothing")).status, 404);
  EXPECT_EQ(routes.handle({"DELETE", "/img/a.png", ""}).status, 405);
  EXPECT_EQ(routes.handle({"HEAD", "/img/a.png", ""}).body.size(), 500u);
}

TEST(ProviderRoutes, SuspensionWinsOverEverything) {
  Counters counters(1, true);
  CountedConnection a(&counters), b(&counters);  // one too many
  ProviderOptions options;
  options.share_404 = 1;
  MainRoutes routes(options, &counters);
  for (const char* path : {"/img/a.jpg", "/status/200/x", "/__stats", "/nothing"}) {
    Reply r = routes.handle(get(path));
    EXPECT_EQ(r.status, 403) << path;
    EXPECT_EQ(r.body, "account suspended");
  }
}

TEST(ProviderRoutes, EveryMainReplyIsDelayedBySeededDraws) {
  Counters counters(0, false);
  ProviderOptions options;
  options.latency = *parse_latency("exp:50");
  options.seed = 42;
  MainRoutes a(options, &counters), b(options, &counters);
  bool some_delay = false;
  for (int i = 0; i < 20; ++i) {
    auto da = a.handle(get("/img/x.jpg")).delay;
    EXPECT_EQ(da, b.handle(get("/img/x.jpg")).delay);
    some_delay |= da.count() > 0;
  }
  EXPECT_TRUE(some_delay);
}

TEST(ProviderRoutes, ControlPortStatsAndReset) {
  Counters counters(1, true);
  CountedConnection a(&counters), b(&counters);
  ControlRoutes control(&counters);
  EXPECT_EQ(control.handle(get("/__stats")).content_type, "application/json");
  EXPECT_EQ(control.handle(get("/__reset")).status, 405);
  EXPECT_EQ(control.handle(get("/img/a.jpg")).status, 404);
  ASSERT_TRUE(counters.suspended());
  EXPECT_EQ(control.handle(post("/__reset")).status, 200);
  EXPECT_FALSE(counters.suspended());
  EXPECT_EQ(control.handle(post("/__reset")).delay.count(), 0);
}

TEST(ProviderFaults, TheTableIsTriedInOrder) {
  ASSERT_GE(fault_rules().size(), 2u);
  EXPECT_EQ(fault_rules()[0].name, "suspended");
  ProviderOptions options;
  options.share_404 = 1;
  RequestView img = get("/img/a.jpg");
  EXPECT_EQ(apply_faults({options, img, true})->reply.status, 403);
  EXPECT_EQ(apply_faults({options, img, false})->reply.status, 404);
  EXPECT_EQ(apply_faults({options, img, false})->rule, "http_404");
  RequestView status = get("/status/200/a.jpg");
  EXPECT_FALSE(apply_faults({options, status, false}).has_value());
  options.share_404 = 0;
  EXPECT_FALSE(apply_faults({options, img, false}).has_value());
}

TEST(ProviderRoutes, FailFirstCountsGetsPerPathAndResetForgetsThem) {
  Counters counters(0, false);
  ProviderOptions options;
  options.fail_first = 2;
  MainRoutes routes(options, &counters);
  ControlRoutes control(&counters);
  EXPECT_EQ(routes.handle({"HEAD", "/img/a.jpg", ""}).status, 500);  // not counted
  EXPECT_EQ(routes.handle(get("/img/a.jpg")).status, 500);
  EXPECT_EQ(routes.handle(get("/img/b.jpg")).status, 500);
  EXPECT_EQ(routes.handle(get("/img/a.jpg")).status, 500);
  EXPECT_EQ(routes.handle(get("/img/a.jpg")).status, 200);
  EXPECT_EQ(routes.handle({"HEAD", "/img/a.jpg", ""}).status, 200);
  EXPECT_EQ(routes.handle(get("/img/b.jpg")).status, 500);
  EXPECT_EQ(routes.handle(get("/img/b.jpg")).status, 200);
  EXPECT_EQ(counters.snapshot().faults["fail_first"], 5);
  ASSERT_EQ(control.handle(post("/__reset")).status, 200);
  EXPECT_EQ(routes.handle(get("/img/a.jpg")).status, 500);
  EXPECT_EQ(counters.snapshot().faults["fail_first"], 1);
}

TEST(ProviderRoutes, EveryRuleIsListedInTheStatsFromTheStart) {
  Counters counters(0, false);
  MainRoutes routes(ProviderOptions{}, &counters);
  const ProviderStats s = counters.snapshot();
  EXPECT_EQ(s.faults.size(), fault_rules().size());
  for (const auto& [rule, n] : s.faults) EXPECT_EQ(n, 0) << rule;
}

TEST(ProviderRoutes, SuspendedRequestsDoNotUseUpAPathsFirstGets) {
  FakeClock clock;
  Counters counters(0, false, {}, &clock);
  ProviderOptions options;
  options.fail_first = 1;
  MainRoutes routes(options, &counters, &clock);
  ControlRoutes control(&counters);
  ASSERT_EQ(control.handle(post("/__suspend", "seconds=2")).status, 200);
  EXPECT_EQ(routes.handle(get("/img/s.jpg")).status, 403);
  EXPECT_EQ(routes.handle(get("/status/200/x")).status, 403);
  clock.advance_ms(2000);
  EXPECT_EQ(routes.handle(get("/img/s.jpg")).status, 500);  // still its first GET
  EXPECT_EQ(routes.handle(get("/img/s.jpg")).status, 200);
  EXPECT_EQ(counters.snapshot().faults["suspended"], 2);
}

TEST(ProviderRoutes, SuspendTakesSecondsOrTheDefault) {
  FakeClock clock;
  Counters counters(0, false, {}, &clock);
  ControlRoutes control(&counters);
  EXPECT_EQ(control.handle(get("/__suspend")).status, 405);
  EXPECT_EQ(control.handle(post("/__suspend")).status, 400);  // no seconds, no default
  for (const char* bad : {"seconds=", "seconds=-1", "seconds=1.5", "seconds=86401", "seconds=x"}) {
    EXPECT_EQ(control.handle(post("/__suspend", bad)).status, 400) << bad;
  }
  EXPECT_FALSE(counters.suspended());
  Reply r = control.handle(post("/__suspend", "x=1&seconds=5"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_NE(r.body.find("\"suspended_remaining_ms\":5000"), std::string::npos) << r.body;
  EXPECT_EQ(control.handle(post("/__suspend", "seconds=0")).status, 200);
  EXPECT_FALSE(counters.suspended());

  ControlRoutes with_default(&counters, std::chrono::seconds(3));
  EXPECT_EQ(with_default.handle(post("/__suspend")).status, 200);
  EXPECT_EQ(counters.snapshot().suspended_remaining_ms, 3000);
}

TEST(ProviderRoutes, FaultRepliesAreDelayedToo) {
  Counters counters(0, false);
  ProviderOptions options;
  options.share_410 = 1;
  options.latency = *parse_latency("fixed:40");
  MainRoutes routes(options, &counters);
  Reply r = routes.handle(get("/img/late.jpg"));
  EXPECT_EQ(r.status, 410);
  EXPECT_EQ(r.delay.count(), 40);
  EXPECT_EQ(counters.snapshot().faults["http_410"], 1);
}

}  // namespace routes_test
}  // namespace sluice
