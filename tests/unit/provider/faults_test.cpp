// The fault table on its own, without sockets: its order, and which reply each rule gives
// to the nth GET of a path.
#include "provider/faults.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "provider/body.h"
#include "provider/http_date.h"

namespace sluice {
// Named, not anonymous: the sanitizer builds compile test files together (unity build).
namespace faults_test {

RequestView get(std::string_view path) { return {"GET", path, ""}; }
RequestView head(std::string_view path) { return {"HEAD", path, ""}; }

// The rule that takes the nth GET (or HEAD) of `path`, or "" if none does.
std::string rule_for(const ProviderOptions& o, const RequestView& r, int64_t nth) {
  auto fault = apply_faults({o, r, false, nth, 0});
  return fault ? std::string(fault->rule) : "";
}

TEST(ProviderFaultTable, OrderIsThePrecedence) {
  std::vector<std::string_view> names;
  for (const FaultRule& rule : fault_rules()) names.push_back(rule.name);
  EXPECT_EQ(names, (std::vector<std::string_view>{"suspended", "oversize", "wrong_type", "http_410",
                                                  "http_404", "http_429", "fail_first", "reset",
                                                  "short", "drip"}));
  // Every share fault is a rule of the same name.
  for (PathFault f :
       {PathFault::oversize, PathFault::wrong_type, PathFault::http_410, PathFault::http_404,
        PathFault::http_429, PathFault::reset, PathFault::cut, PathFault::drip}) {
    EXPECT_NE(std::find(names.begin(), names.end(), path_fault_name(f)), names.end());
  }
}

TEST(ProviderFaultTable, SuspensionWinsOverEveryRule) {
  ProviderOptions o;
  o.share_oversize = 1;
  o.fail_first = 3;
  EXPECT_EQ(apply_faults({o, get("/img/a.jpg"), true, 1, 0})->reply.status, 403);
  EXPECT_EQ(apply_faults({o, get("/status/200/x"), true, 1, 0})->rule, "suspended");
}

TEST(ProviderFaultTable, FailFirstTakesTheFirstKGetsOfEveryImagePath) {
  ProviderOptions o;
  o.fail_first = 2;
  o.fail_status = 503;
  for (int64_t n = 1; n <= 2; ++n) {
    auto fault = apply_faults({o, get("/img/a.jpg"), false, n, 0});
    ASSERT_TRUE(fault);
    EXPECT_EQ(fault->rule, "fail_first");
    EXPECT_EQ(fault->reply.status, 503);
  }
  EXPECT_EQ(rule_for(o, get("/img/a.jpg"), 3), "");
  EXPECT_EQ(rule_for(o, head("/img/a.jpg"), 2), "fail_first");  // a HEAD sees the same
  EXPECT_EQ(rule_for(o, get("/status/200/a.jpg"), 1), "");      // only /img/ paths
  EXPECT_EQ(rule_for(o, {"POST", "/img/a.jpg", ""}, 1), "");
}

TEST(ProviderFaultTable, PermanentFaultsTakeEveryRequestBeforeFailFirst) {
  ProviderOptions o;
  o.fail_first = 5;
  o.share_410 = 1;
  for (int64_t n : {1, 6, 100}) {
    auto fault = apply_faults({o, get("/img/g.jpg"), false, n, 0});
    EXPECT_EQ(fault->reply.status, 410);
    EXPECT_EQ(fault->reply.body, "gone");
  }
  o.share_410 = 0;
  o.share_404 = 1;
  EXPECT_EQ(apply_faults({o, head("/img/g.jpg"), false, 9, 0})->reply.status, 404);
}

TEST(ProviderFaultTable, TooManyRequestsOnTheFirstGetWithRetryAfterSeconds) {
  ProviderOptions o;
  o.share_429 = 1;
  o.retry_after_s = 7;
  auto fault = apply_faults({o, get("/img/r.jpg"), false, 1, 0});
  ASSERT_TRUE(fault);
  EXPECT_EQ(fault->reply.status, 429);
  ASSERT_EQ(fault->reply.headers.size(), 1u);
  EXPECT_EQ(fault->reply.headers[0].first, "Retry-After");
  EXPECT_EQ(fault->reply.headers[0].second, "7");
  EXPECT_EQ(rule_for(o, get("/img/r.jpg"), 2), "");
  // With fail-first the 429 is the first of the K failures.
  o.fail_first = 2;
  EXPECT_EQ(rule_for(o, get("/img/r.jpg"), 1), "http_429");
  EXPECT_EQ(rule_for(o, get("/img/r.jpg"), 2), "fail_first");
  EXPECT_EQ(rule_for(o, get("/img/r.jpg"), 3), "");
}

TEST(ProviderFaultTable, RetryAfterAsAnHttpDateIsNeverSooner) {
  ProviderOptions o;
  o.share_429 = 1;
  o.retry_after_s = 3;
  o.retry_after_date = true;
  constexpr int64_t kNow = 1'700'000'000'000;
  auto at_second = apply_faults({o, get("/img/r.jpg"), false, 1, kNow});
  EXPECT_EQ(at_second->reply.headers[0].second, http_date(kNow / 1000 + 3));
  auto mid_second = apply_faults({o, get("/img/r.jpg"), false, 1, kNow + 1});
  EXPECT_EQ(mid_second->reply.headers[0].second, http_date(kNow / 1000 + 4));
  EXPECT_EQ(http_date(784'111'777), "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST(ProviderFaultTable, DeliveryFaultsTakeTheFirstGetPastFailFirst) {
  ProviderOptions o;
  o.size = SizeSpec{1000, 1000};
  o.fail_first = 1;
  o.drip_bytes_per_s = 250;
  struct Case {
    double ProviderOptions::*share;
    const char* rule;
    Delivery::Kind kind;
  };
  for (const Case& c : {Case{&ProviderOptions::share_reset, "reset", Delivery::Kind::reset},
                        Case{&ProviderOptions::share_short, "short", Delivery::Kind::cut}}) {
    ProviderOptions one = o;
    one.*c.share = 1;
    EXPECT_EQ(rule_for(one, get("/img/d.jpg"), 1), "fail_first");
    auto fault = apply_faults({one, get("/img/d.jpg"), false, 2, 0});
    ASSERT_TRUE(fault);
    EXPECT_EQ(fault->rule, c.rule);
    EXPECT_EQ(fault->reply.status, 200);
    EXPECT_EQ(fault->reply.delivery.kind, c.kind);
    EXPECT_EQ(fault->reply.delivery.cut_at, 500u);
    EXPECT_TRUE(fault->reply.body == provider_body(one, "/img/d.jpg"));
    EXPECT_EQ(rule_for(one, get("/img/d.jpg"), 3), "");
    EXPECT_EQ(rule_for(one, head("/img/d.jpg"), 2), "");  // no body to cut
  }
  o.share_drip = 1;
  auto drip = apply_faults({o, get("/img/d.jpg"), false, 2, 0});
  EXPECT_EQ(drip->reply.delivery.kind, Delivery::Kind::drip);
  EXPECT_EQ(drip->reply.delivery.bytes_per_s, 250u);
  EXPECT_EQ(rule_for(o, get("/img/d.jpg"), 3), "drip");  // every GET
  o.drip_once = true;
  EXPECT_EQ(rule_for(o, get("/img/d.jpg"), 2), "drip");
  EXPECT_EQ(rule_for(o, get("/img/d.jpg"), 3), "");
  EXPECT_TRUE(faults_count_requests(o));
  o.drip_once = false;
  o.fail_first = 0;
  EXPECT_FALSE(faults_count_requests(o));  // always dripping needs no counting
}

TEST(ProviderFaultTable, OversizeStreamsABodyItNeverHolds) {
  ProviderOptions o;
  o.share_oversize = 1;
  auto fault = apply_faults({o, get("/img/o.png"), false, 1, 0});
  ASSERT_TRUE(fault);
  EXPECT_EQ(fault->reply.status, 200);
  EXPECT_EQ(fault->reply.content_type, "image/png");
  EXPECT_TRUE(fault->reply.body.empty());
  ASSERT_TRUE(fault->reply.source);
  EXPECT_EQ(fault->reply.body_size(), 60ull << 20);
  EXPECT_EQ(fault->reply.source->next(4), "\x89PNG");
  EXPECT_EQ(apply_faults({o, head("/img/o.png"), false, 1, 0})->reply.body_size(), 60ull << 20);
}

TEST(ProviderFaultTable, WrongTypeIsAnHtmlPage) {
  ProviderOptions o;
  o.share_wrong_type = 1;
  auto fault = apply_faults({o, get("/img/w.jpg"), false, 1, 0});
  ASSERT_TRUE(fault);
  EXPECT_EQ(fault->reply.status, 200);
  EXPECT_EQ(fault->reply.content_type, "text/html");
  EXPECT_EQ(fault->reply.body.substr(0, 15), "<!DOCTYPE html>");
}

TEST(ProviderFaultTable, NoFlagsNoFaults) {
  ProviderOptions o;
  for (int64_t n : {1, 2}) {
    EXPECT_EQ(rule_for(o, get("/img/n.jpg"), n), "");
    EXPECT_EQ(rule_for(o, head("/img/n.jpg"), n), "");
  }
}

}  // namespace faults_test
}  // namespace sluice
