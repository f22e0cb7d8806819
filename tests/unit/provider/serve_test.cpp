// What the provider serves over real sockets: images, statuses, HEAD, keep-alive, the 404
// share, latency and the stats/reset endpoints.
#include <gtest/gtest.h>

#include <chrono>

#include "provider_harness.h"

namespace sluice::provider_test {
namespace {

ProviderOptions sized(const char* size) {
  ProviderOptions options;
  options.size = *parse_size(size);
  return options;
}

TEST(ProviderServe, ImagesAreTheDeterministicBodies) {
  ProviderOptions options = sized("1000-5000");
  RunningProvider provider(options);
  httplib::Client client("127.0.0.1", provider.port());
  for (const char* path : {"/img/1.jpg", "/img/dir/2.png", "/img/3"}) {
    auto res = client.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200);
    EXPECT_TRUE(res->body == provider_body(options, path)) << path;
    EXPECT_EQ(res->get_header_value("Content-Type"), body_content_type(path));
    EXPECT_EQ(res->get_header_value("Content-Length"), std::to_string(res->body.size()));
    EXPECT_EQ(res->get_header_value("ETag"), body_etag(options.size, path));
    EXPECT_EQ(res->get_header_value("Last-Modified"), body_last_modified(path));
  }
  auto with_query = client.Get("/img/1.jpg?v=2");
  ASSERT_TRUE(with_query);
  EXPECT_TRUE(with_query->body == provider_body(options, "/img/1.jpg"));
}

TEST(ProviderServe, HeadHasTheLengthButNoBody) {
  ProviderOptions options = sized("3000");
  RunningProvider provider(options);
  httplib::Client client("127.0.0.1", provider.port());
  auto res = client.Head("/img/h.png");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Length"), "3000");
  EXPECT_EQ(res->get_header_value("Content-Type"), "image/png");
  EXPECT_TRUE(res->body.empty());
}

TEST(ProviderServe, StatusPathsAnswerTheirCode) {
  RunningProvider provider(ProviderOptions{});
  httplib::Client client("127.0.0.1", provider.port());
  auto e500 = client.Get("/status/500/x.jpg");
  ASSERT_TRUE(e500);
  EXPECT_EQ(e500->status, 500);
  EXPECT_EQ(e500->body, "status 500");
  auto e404 = client.Get("/status/404");
  ASSERT_TRUE(e404);
  EXPECT_EQ(e404->status, 404);
  auto no_content = client.Get("/status/204/y");
  ASSERT_TRUE(no_content);
  EXPECT_EQ(no_content->status, 204);
  auto bad = client.Get("/status/abc/x.jpg");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);

  EXPECT_EQ(client.Get("/elsewhere")->status, 404);
  EXPECT_EQ(client.Post("/img/1.jpg", "", "text/plain")->status, 405);

  Json by_status = provider.wait_for([](const Json& s) {
    return s["requests_total"] == 6 && s["by_status"].size() == 5;
  })["by_status"];
  EXPECT_EQ(by_status["500"], 1);
  EXPECT_EQ(by_status["404"], 2);
  EXPECT_EQ(by_status["204"], 1);
  EXPECT_EQ(by_status["400"], 1);
  EXPECT_EQ(by_status["405"], 1);
}

TEST(ProviderServe, KeepAliveServesManyRequestsOnOneConnection) {
  ProviderOptions options = sized("2k");
  RunningProvider provider(options);
  boost::asio::io_context io;
  Connection c(io, provider.port());
  for (int i = 0; i < 5; ++i) {
    const std::string path = "/img/k" + std::to_string(i) + ".jpg";
    Response res = c.request(path);
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_TRUE(res.keep_alive());
    EXPECT_TRUE(res.body() == provider_body(options, path)) << path;
  }
  Json s = provider.wait_for([](const Json& j) { return j["by_status"].value("200", 0) == 5; });
  EXPECT_EQ(s["connections_total"], 1);
  EXPECT_EQ(s["requests_total"], 5);
}

TEST(ProviderServe, TheSameShareOfPathsIsMissingEveryTime) {
  ProviderOptions options;
  options.share_404 = 0.5;
  RunningProvider provider(options);
  httplib::Client client("127.0.0.1", provider.port());
  int missing = 0;
  for (int i = 0; i < 40; ++i) {
    const std::string path = "/img/" + std::to_string(i) + ".jpg";
    auto res = client.Get(path);
    ASSERT_TRUE(res);
    const bool expect_missing = answers_404(0.5, path);
    EXPECT_EQ(res->status, expect_missing ? 404 : 200) << path;
    missing += expect_missing;
  }
  EXPECT_GT(missing, 5);
  EXPECT_LT(missing, 35);
  // Status paths are never affected.
  EXPECT_EQ(client.Get("/status/200/x.jpg")->status, 200);
}

TEST(ProviderServe, LatencyDelaysTheResponse) {
  ProviderOptions options;
  options.latency = *parse_latency("fixed:250");
  RunningProvider provider(options);
  httplib::Client client("127.0.0.1", provider.port());
  const auto start = std::chrono::steady_clock::now();
  auto res = client.Get("/img/slow.jpg");
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_GE(took, std::chrono::milliseconds(250));
}

TEST(ProviderServe, StatsOnTheMainPortAreCountedAndResetIsControlOnly) {
  RunningProvider provider(ProviderOptions{});
  httplib::Client main_port("127.0.0.1", provider.port());
  auto stats = main_port.Get("/__stats");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->get_header_value("Content-Type"), "application/json");
  Json s = Json::parse(stats->body);
  EXPECT_EQ(s["requests_total"], 1);  // itself
  EXPECT_EQ(s["in_flight"], 1);
  EXPECT_EQ(main_port.Post("/__reset", "", "text/plain")->status, 404);

  s = provider.wait_for([](const Json& j) { return j["requests_total"] == 2; });
  EXPECT_EQ(s["connections_total"], 2);
  ASSERT_TRUE(provider.reset());
  s = provider.stats();
  EXPECT_EQ(s["requests_total"], 0);
  EXPECT_EQ(s["connections_total"], 0);
  EXPECT_TRUE(s["by_status"].empty());
  EXPECT_EQ(s["violations"], 0);
  for (const char* key : {"cap", "open_connections", "max_open_connections", "in_flight",
                          "max_in_flight", "suspended"}) {
    EXPECT_TRUE(s.contains(key)) << key;
  }
}

TEST(ProviderServe, AnnouncesBothPorts) {
  MemoryLogger logger;
  Provider provider(ProviderOptions{}, logger);
  ASSERT_TRUE(provider.start().ok());
  EXPECT_NE(provider.port(), 0);
  EXPECT_NE(provider.control_port(), 0);
  EXPECT_NE(provider.port(), provider.control_port());
  EXPECT_EQ(provider.listening_line(),
            "listening 127.0.0.1:" + std::to_string(provider.port()) +
                " control 127.0.0.1:" + std::to_string(provider.control_port()));
}

TEST(ProviderServe, ABusyPortIsAnError) {
  MemoryLogger logger;
  Provider first(ProviderOptions{}, logger);
  ASSERT_TRUE(first.start().ok());
  ProviderOptions same_port;
  same_port.port = first.port();
  Provider second(same_port, logger);
  Status s = second.start();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().detail.find(std::to_string(first.port())), std::string::npos);
}

}  // namespace
}  // namespace sluice::provider_test
