// --count-after-disconnect: a request whose client leaves during its latency stays counted,
// with its connection, until that latency is over, as a thread-per-request server would
// count it; so a client that gives up on a slow request and reconnects at once is caught.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "provider_harness.h"

namespace sluice::provider_test {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

ProviderOptions counting_after_disconnect(int cap, const char* latency) {
  ProviderOptions options;
  options.cap = cap;
  options.count_after_disconnect = true;
  options.latency = *parse_latency(latency);
  return options;
}

TEST(ProviderDisconnect, LeftRequestStaysCountedUntilItsLatencyIsOver) {
  RunningProvider provider(counting_after_disconnect(0, "fixed:1500"));
  boost::asio::io_context io;
  Connection c(io, provider.port());
  const auto sent = steady_clock::now();
  c.send("/img/slow.jpg");
  provider.wait_for_in_flight(1);
  c.close();
  // The provider has seen the client leave, yet still counts the request and its connection.
  Json s = provider.wait_for([](const Json& j) { return j["client_left"] == 1; });
  EXPECT_EQ(s["client_left"], 1);
  EXPECT_EQ(s["in_flight"], 1);
  EXPECT_EQ(s["open_connections"], 1);

  s = provider.wait_for([](const Json& j) { return j["open_connections"] == 0; },
                        std::chrono::seconds(10));
  const auto freed_after = steady_clock::now() - sent;
  EXPECT_EQ(s["open_connections"], 0);
  EXPECT_EQ(s["in_flight"], 0);
  EXPECT_GE(freed_after, milliseconds(1400));  // not before its latency (less timer slack)
  EXPECT_TRUE(s["by_status"].empty());         // nothing was written to a client gone
}

TEST(ProviderDisconnect, ClientThatReconnectsAtOnceIsCaught) {
  constexpr int kCap = 2;
  RunningProvider provider(counting_after_disconnect(kCap, "fixed:2000"));
  boost::asio::io_context io;
  Connection a(io, provider.port());
  Connection b(io, provider.port());
  a.send("/img/a.jpg");
  b.send("/img/b.jpg");
  provider.wait_for_in_flight(kCap);
  a.close();  // gives up on its slow request ...
  provider.wait_for([](const Json& j) { return j["client_left"] == 1; });
  Connection again(io, provider.port());  // ... and takes its slot back at once
  Json s = provider.wait_for([](const Json& j) { return j["connections_total"] == 3; });
  EXPECT_EQ(s["open_connections"], kCap + 1);
  EXPECT_EQ(s["violations"], 1);
}

TEST(ProviderDisconnect, WithoutTheModeALeftRequestIsFreedAtOnce) {
  ProviderOptions options = counting_after_disconnect(0, "fixed:30000");
  options.count_after_disconnect = false;
  RunningProvider provider(options);
  boost::asio::io_context io;
  Connection c(io, provider.port());
  c.send("/img/slow.jpg");
  provider.wait_for_in_flight(1);
  c.close();
  Json s = provider.wait_for([](const Json& j) { return j["open_connections"] == 0; },
                             std::chrono::seconds(5));
  EXPECT_EQ(s["open_connections"], 0);
  EXPECT_EQ(s["in_flight"], 0);
  EXPECT_EQ(s["client_left"], 1);
}

TEST(ProviderDisconnect, ClientThatStaysGetsItsResponse) {
  RunningProvider provider(counting_after_disconnect(1, "fixed:200"));
  boost::asio::io_context io;
  Connection c(io, provider.port());
  EXPECT_EQ(c.request("/img/1.jpg").result_int(), 200);
  EXPECT_EQ(c.request("/img/2.jpg").result_int(), 200);  // keep-alive still works
  Json s = provider.wait_for_in_flight(0);
  EXPECT_EQ(s["by_status"]["200"], 2);
  EXPECT_EQ(s["client_left"], 0);
  EXPECT_EQ(s["violations"], 0);
}

}  // namespace
}  // namespace sluice::provider_test
