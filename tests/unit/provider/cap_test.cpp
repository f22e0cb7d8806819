// The provider's reason to exist: it must catch a client that opens one connection too
// many, or has one request too many in flight, and it must hold far more connections than
// a thread pool would.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "provider_harness.h"

namespace sluice::provider_test {
namespace {

using Connections = std::vector<std::unique_ptr<Connection>>;

ProviderOptions capped(int cap, bool suspend) {
  ProviderOptions options;
  options.cap = cap;
  options.suspend = suspend;
  return options;
}

void open_connections(boost::asio::io_context& io, int port, int n, Connections* out) {
  for (int i = 0; i < n; ++i) out->push_back(std::make_unique<Connection>(io, port));
}

TEST(ProviderCap, CatchesOneConnectionTooMany) {
  constexpr int kCap = 5;
  RunningProvider provider(capped(kCap, /*suspend=*/true));
  boost::asio::io_context io;
  Connections held;
  open_connections(io, provider.port(), kCap, &held);

  Json s = provider.wait_for_open(kCap);
  EXPECT_EQ(s["open_connections"], kCap);
  EXPECT_EQ(s["max_open_connections"], kCap);
  EXPECT_EQ(s["violations"], 0);
  EXPECT_EQ(s["suspended"], false);
  EXPECT_EQ(held[0]->request("/img/1.jpg").result_int(), 200);

  open_connections(io, provider.port(), 1, &held);
  s = provider.wait_for_open(kCap + 1);
  EXPECT_EQ(s["max_open_connections"], kCap + 1);
  EXPECT_GE(s["violations"], 1);
  EXPECT_EQ(s["suspended"], true);

  // Suspended: every later request on the main port is refused, even on an old connection.
  Response res = held[1]->request("/img/2.jpg");
  EXPECT_EQ(res.result_int(), 403);
  EXPECT_EQ(res.body().substr(0, 64), "account suspended");
  // The control port is neither counted nor suspended.
  EXPECT_EQ(provider.stats()["open_connections"], kCap + 1);
}

TEST(ProviderCap, ExactlyAtTheCapIsNoViolation) {
  constexpr int kCap = 4;
  RunningProvider provider(capped(kCap, /*suspend=*/true));
  boost::asio::io_context io;
  Connections held;
  open_connections(io, provider.port(), kCap, &held);
  provider.wait_for_open(kCap);
  for (auto& c : held) EXPECT_EQ(c->request("/img/a.jpg").result_int(), 200);
  // A closed connection frees its slot: the next one is the fourth again, not the fifth.
  held.back()->close();
  provider.wait_for_open(kCap - 1);
  held.back() = std::make_unique<Connection>(io, provider.port());
  EXPECT_EQ(held.back()->request("/img/b.jpg").result_int(), 200);

  Json s = provider.stats();
  EXPECT_EQ(s["max_open_connections"], kCap);
  EXPECT_EQ(s["connections_total"], kCap + 1);
  EXPECT_EQ(s["violations"], 0);
  EXPECT_EQ(s["suspended"], false);
}

TEST(ProviderCap, WithoutSuspendViolationsAreCountedAndServed) {
  RunningProvider provider(capped(2, /*suspend=*/false));
  boost::asio::io_context io;
  Connections held;
  open_connections(io, provider.port(), 4, &held);
  Json s = provider.wait_for_open(4);
  EXPECT_EQ(s["violations"], 2);  // the third and the fourth accept
  EXPECT_EQ(s["suspended"], false);
  EXPECT_EQ(held[3]->request("/img/x.png").result_int(), 200);
}

TEST(ProviderCap, CountsRequestsInFlight) {
  constexpr int kCap = 6;
  ProviderOptions options = capped(kCap, /*suspend=*/false);
  options.latency = *parse_latency("fixed:400");
  RunningProvider provider(options);
  boost::asio::io_context io;
  Connections held;
  open_connections(io, provider.port(), kCap, &held);
  provider.wait_for_open(kCap);

  for (int i = 0; i < kCap; ++i) held[i]->send("/img/" + std::to_string(i) + ".jpg");
  Json s = provider.wait_for_in_flight(kCap);
  EXPECT_EQ(s["in_flight"], kCap);
  for (auto& c : held) EXPECT_EQ(c->receive().result_int(), 200);

  s = provider.wait_for_in_flight(0);
  EXPECT_EQ(s["in_flight"], 0);
  EXPECT_EQ(s["max_in_flight"], kCap);
  EXPECT_EQ(s["requests_total"], kCap);
  EXPECT_EQ(s["violations"], 0);
}

TEST(ProviderCap, CatchesOneRequestTooManyInFlight) {
  constexpr int kCap = 3;
  ProviderOptions options = capped(kCap, /*suspend=*/false);
  options.latency = *parse_latency("fixed:400");
  RunningProvider provider(options);
  boost::asio::io_context io;
  Connections held;
  open_connections(io, provider.port(), kCap + 1, &held);
  EXPECT_EQ(provider.wait_for_open(kCap + 1)["violations"], 1);
  ASSERT_TRUE(provider.reset());  // forget the connection violation; keep the sockets
  EXPECT_EQ(provider.stats()["violations"], 0);

  for (auto& c : held) c->send("/img/y.jpg");
  Json s = provider.wait_for_in_flight(kCap + 1);
  EXPECT_EQ(s["max_in_flight"], kCap + 1);
  EXPECT_EQ(s["violations"], 1);
  for (auto& c : held) EXPECT_EQ(c->receive().result_int(), 200);
}

// A thread-per-connection server with a small pool would top out long before this.
TEST(ProviderCap, HoldsHundredsOfConnectionsAndRequestsAtOnce) {
  constexpr int kClients = 200;
  ProviderOptions options;
  options.latency = *parse_latency("fixed:300");
  RunningProvider provider(options);
  boost::asio::io_context io;
  Connections held;
  open_connections(io, provider.port(), kClients, &held);
  Json s = provider.wait_for_open(kClients);
  EXPECT_EQ(s["max_open_connections"], kClients);

  for (auto& c : held) c->send("/img/many.jpg");
  s = provider.wait_for_in_flight(kClients);
  EXPECT_EQ(s["max_in_flight"], kClients);
  for (auto& c : held) EXPECT_EQ(c->receive().result_int(), 200);
  EXPECT_EQ(provider.stats()["violations"], 0);
}

TEST(ProviderCap, ClientClosingDuringLatencyIsCountedClosedAtOnce) {
  ProviderOptions options;
  options.latency = *parse_latency("fixed:30000");
  RunningProvider provider(options);
  boost::asio::io_context io;
  Connection c(io, provider.port());
  c.send("/img/slow.jpg");
  provider.wait_for_in_flight(1);
  c.close();
  // Long before the 30 s latency is over.
  Json s = provider.wait_for([](const Json& j) { return j["open_connections"] == 0; },
                             std::chrono::seconds(5));
  EXPECT_EQ(s["open_connections"], 0);
  EXPECT_EQ(s["in_flight"], 0);
  EXPECT_TRUE(s["by_status"].empty());
}

TEST(ProviderCap, IdleKeepAliveConnectionsAreClosed) {
  ProviderOptions options;
  options.idle_timeout_s = 1;
  RunningProvider provider(options);
  boost::asio::io_context io;
  Connection c(io, provider.port());
  EXPECT_EQ(c.request("/img/1.jpg").result_int(), 200);
  EXPECT_TRUE(c.wait_closed_by_peer());
  EXPECT_EQ(provider.wait_for_open(0)["open_connections"], 0);
}

}  // namespace
}  // namespace sluice::provider_test

namespace sluice::provider_test {
namespace {

// A client that closes a connection and at once opens another never had more than the cap
// open, even when the provider learns of the close and of the new connection in one go:
// here its loop is busy making a large body meanwhile, so both wait for the same turn.
TEST(ProviderCap, CloseThenReopenIsNoViolation) {
  constexpr int kCap = 3;
  ProviderOptions options = capped(kCap, /*suspend=*/true);
  options.size = *parse_size("16m");
  RunningProvider provider(options);
  boost::asio::io_context io;
  Connections held;
  open_connections(io, provider.port(), kCap, &held);
  provider.wait_for_open(kCap);
  for (int i = 0; i < 10; ++i) {
    held[0]->send("/img/big" + std::to_string(i) + ".jpg");
    held[1 + i % 2]->close();
    held[1 + i % 2] = std::make_unique<Connection>(io, provider.port());
    EXPECT_EQ(held[0]->receive().result_int(), 200);
  }
  Json s = provider.wait_for_open(kCap);
  EXPECT_EQ(s["connections_total"], kCap + 10);
  EXPECT_EQ(s["violations"], 0);
  EXPECT_EQ(s["max_open_connections"], kCap);
}

}  // namespace
}  // namespace sluice::provider_test
