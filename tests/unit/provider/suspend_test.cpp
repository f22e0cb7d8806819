// Faults whose effect is in the status and headers, over real sockets: timed suspension
// (after a violation or on demand) recovering by itself, fail-first counted per path and
// forgotten on reset, and 429 with Retry-After in both forms.
#include <gtest/gtest.h>

#include <ctime>

#include "provider/http_date.h"
#include "provider_harness.h"

namespace sluice::provider_test {
namespace {

using std::chrono::seconds;

// POST to the control port; the status, or 0 if it did not answer.
int post_control(const RunningProvider& provider, const std::string& target) {
  httplib::Client client("127.0.0.1", provider.control_port());
  auto res = client.Post(target, "", "text/plain");
  return res ? res->status : 0;
}

int get_status(const RunningProvider& provider, const std::string& path) {
  httplib::Client client("127.0.0.1", provider.port());
  auto res = client.Get(path);
  return res ? res->status : 0;
}

TEST(ProviderSuspend, OnDemandWithoutAViolationThenRecovers) {
  RunningProvider provider(ProviderOptions{});
  ASSERT_EQ(get_status(provider, "/img/a.jpg"), 200);
  ASSERT_EQ(post_control(provider, "/__suspend?seconds=1"), 200);
  Json s = provider.stats();
  EXPECT_EQ(s["suspended"], true);
  EXPECT_GT(s["suspended_remaining_ms"], 0);
  EXPECT_LE(s["suspended_remaining_ms"], 1000);
  EXPECT_EQ(s["violations"], 0);

  httplib::Client client("127.0.0.1", provider.port());
  auto refused = client.Get("/img/a.jpg");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(refused->body, "account suspended");

  s = provider.wait_for([](const Json& j) { return j["suspended"] == false; }, seconds(10));
  ASSERT_EQ(s["suspended"], false) << s.dump();
  EXPECT_EQ(s["suspended_remaining_ms"], 0);
  EXPECT_EQ(get_status(provider, "/img/a.jpg"), 200);
  s = provider.wait_for([](const Json& j) { return j["by_status"].value("200", 0) == 2; });
  EXPECT_EQ(s["by_status"]["403"], 1);
  EXPECT_EQ(s["faults"]["suspended"], 1);
}

TEST(ProviderSuspend, AViolationSuspendsForAWhile) {
  ProviderOptions options;
  options.cap = 1;
  options.suspend_for_s = 1;
  RunningProvider provider(options);
  boost::asio::io_context io;
  Connection first(io, provider.port());
  {
    Connection second(io, provider.port());  // one too many
    Json s = provider.wait_for_open(2);
    EXPECT_EQ(s["violations"], 1);
    EXPECT_EQ(s["suspended"], true);
    EXPECT_EQ(first.request("/img/v.jpg").result_int(), 403);
  }
  Json s = provider.wait_for([](const Json& j) { return j["suspended"] == false; }, seconds(10));
  ASSERT_EQ(s["suspended"], false) << s.dump();
  EXPECT_EQ(first.request("/img/v.jpg").result_int(), 200);  // recovered by itself
  EXPECT_EQ(provider.stats()["violations"], 1);
}

TEST(ProviderSuspend, ZeroSecondsLiftsEvenAPermanentSuspension) {
  ProviderOptions options;
  options.cap = 1;
  options.suspend = true;
  RunningProvider provider(options);
  boost::asio::io_context io;
  Connection a(io, provider.port()), b(io, provider.port());
  Json s = provider.wait_for_open(2);
  EXPECT_EQ(s["suspended_remaining_ms"], -1);
  EXPECT_EQ(post_control(provider, "/__suspend"), 400);  // no seconds, no --suspend-for
  EXPECT_EQ(post_control(provider, "/__suspend?seconds=0"), 200);
  EXPECT_EQ(provider.stats()["suspended"], false);
  EXPECT_EQ(a.request("/img/x.jpg").result_int(), 200);
}

TEST(ProviderFailFirst, EachPathFailsItsFirstGetsUntilReset) {
  ProviderOptions options;
  options.fail_first = 2;
  options.fail_status = 502;
  RunningProvider provider(options);
  EXPECT_EQ(get_status(provider, "/img/a.jpg"), 502);
  EXPECT_EQ(get_status(provider, "/img/b.jpg"), 502);
  EXPECT_EQ(get_status(provider, "/img/a.jpg"), 502);
  EXPECT_EQ(get_status(provider, "/img/a.jpg"), 200);
  EXPECT_EQ(get_status(provider, "/img/a.jpg?v=2"), 200);  // the query is not the path
  EXPECT_EQ(get_status(provider, "/status/200/a.jpg"), 200);
  Json s = provider.wait_for([](const Json& j) { return j["requests_total"] == 6; });
  EXPECT_EQ(s["by_status"]["502"], 3);
  EXPECT_EQ(s["faults"]["fail_first"], 3);

  ASSERT_EQ(post_control(provider, "/__reset"), 200);
  EXPECT_EQ(get_status(provider, "/img/a.jpg"), 502);
  EXPECT_EQ(get_status(provider, "/img/b.jpg"), 502);
  EXPECT_EQ(get_status(provider, "/img/b.jpg"), 502);
  EXPECT_EQ(get_status(provider, "/img/b.jpg"), 200);
}

TEST(ProviderSlowDown, RetryAfterInSeconds) {
  ProviderOptions options;
  options.share_429 = 1;
  options.retry_after_s = 4;
  RunningProvider provider(options);
  httplib::Client client("127.0.0.1", provider.port());
  auto first = client.Get("/img/busy.jpg");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 429);
  EXPECT_EQ(first->get_header_value("Retry-After"), "4");
  auto second = client.Get("/img/busy.jpg");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
}

TEST(ProviderSlowDown, RetryAfterAsAnHttpDate) {
  ProviderOptions options;
  options.share_429 = 1;
  options.retry_after_s = 30;
  options.retry_after_date = true;
  RunningProvider provider(options);
  httplib::Client client("127.0.0.1", provider.port());
  const int64_t before = std::time(nullptr);
  auto res = client.Get("/img/busy.png");
  const int64_t after = std::time(nullptr);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429);
  const std::string date = res->get_header_value("Retry-After");
  bool in_window = false;
  for (int64_t t = before + 30; t <= after + 31; ++t) in_window |= date == http_date(t);
  EXPECT_TRUE(in_window) << date;
}

}  // namespace
}  // namespace sluice::provider_test
