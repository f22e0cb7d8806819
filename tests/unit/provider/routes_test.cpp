#include "provider/routes.h"

#include <gtest/gtest.h>

#include "provider/body.h"
#include "provider/faults.h"

namespace sluice {
namespace {

RequestView get(std::string_view path) { return {"GET", path}; }

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
  EXPECT_EQ(routes.handle({"DELETE", "/img/a.png"}).status, 405);
  EXPECT_EQ(routes.handle({"HEAD", "/img/a.png"}).body.size(), 500u);
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
  EXPECT_EQ(control.handle({"POST", "/__reset"}).status, 200);
  EXPECT_FALSE(counters.suspended());
  EXPECT_EQ(control.handle({"POST", "/__reset"}).delay.count(), 0);
}

TEST(ProviderFaults, TheTableIsTriedInOrder) {
  ASSERT_GE(fault_rules().size(), 2u);
  EXPECT_EQ(fault_rules()[0].name, "suspended");
  ProviderOptions options;
  options.share_404 = 1;
  RequestView img = get("/img/a.jpg");
  EXPECT_EQ(apply_faults({options, img, true})->status, 403);
  EXPECT_EQ(apply_faults({options, img, false})->status, 404);
  RequestView status = get("/status/200/a.jpg");
  EXPECT_FALSE(apply_faults({options, status, false}).has_value());
  options.share_404 = 0;
  EXPECT_FALSE(apply_faults({options, img, false}).has_value());
}

}  // namespace
}  // namespace sluice
