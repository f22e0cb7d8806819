// The delivery faults over real sockets, as a client sees them: a reset after part of the
// body, a body shorter than its Content-Length, a slow drip, an oversized body, an HTML
// page; and the provider's own counts staying exact through each.
#include <gtest/gtest.h>

#include "provider/body.h"
#include "provider/body_stream.h"
#include "provider_harness.h"
#include "raw_client.h"

namespace sluice::provider_test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using End = RawResponse::End;

constexpr milliseconds kGenerous = seconds(20);  // a bound no healthy exchange comes near

ProviderOptions with_size(uint64_t n) {
  ProviderOptions options;
  options.size = SizeSpec{n, n};
  return options;
}

// Waits until nothing is open or in flight, and returns the stats then.
Json settled(const RunningProvider& provider) {
  return provider.wait_for(
      [](const Json& s) { return s["open_connections"] == 0 && s["in_flight"] == 0; });
}

TEST(ProviderDelivery, ResetComesAfterTheHeaderAndHalfTheBody) {
  ProviderOptions options = with_size(100'000);
  options.share_reset = 1;
  RunningProvider provider(options);
  const std::string path = "/img/reset.jpg";
  const std::string body = provider_body(options, path);

  RawResponse first = raw_get(provider.port(), path, kGenerous);
  EXPECT_EQ(first.status(), 200);
  EXPECT_EQ(first.content_length(), body.size());
  EXPECT_EQ(first.end, End::reset);
  EXPECT_EQ(first.body.size(), body.size() / 2);
  EXPECT_TRUE(first.body == body.substr(0, first.body.size()));
  Json s = settled(provider);
  EXPECT_EQ(s["faults"]["reset"], 1);
  EXPECT_TRUE(s["by_status"].empty());  // no response was fully written
  EXPECT_EQ(s["requests_total"], 1);

  RawResponse second = raw_get(provider.port(), path, kGenerous);  // only the first is reset
  EXPECT_EQ(second.end, End::complete);
  EXPECT_TRUE(second.body == body);
  s = provider.wait_for([](const Json& j) { return j["by_status"].value("200", 0) == 1; });
  EXPECT_EQ(s["faults"]["reset"], 1);
}

TEST(ProviderDelivery, ShortBodyEndsBeforeItsContentLength) {
  ProviderOptions options = with_size(30'001);
  options.share_short = 1;
  options.fail_first = 1;
  RunningProvider provider(options);
  const std::string path = "/img/short.png";
  const std::string body = provider_body(options, path);

  EXPECT_EQ(raw_get(provider.port(), path, kGenerous).status(), 500);  // fail-first first
  RawResponse cut = raw_get(provider.port(), path, kGenerous);
  EXPECT_EQ(cut.status(), 200);
  EXPECT_EQ(cut.content_length(), 30'001u);
  EXPECT_EQ(cut.end, End::eof);
  EXPECT_EQ(cut.body.size(), 15'000u);
  EXPECT_TRUE(cut.body == body.substr(0, cut.body.size()));
  RawResponse whole = raw_get(provider.port(), path, kGenerous);
  EXPECT_EQ(whole.end, End::complete);
  EXPECT_TRUE(whole.body == body);

  Json s = provider.wait_for([](const Json& j) {
    return j["by_status"].value("200", 0) == 1 && j["open_connections"] == 0;
  });
  EXPECT_EQ(s["faults"]["short"], 1);
  EXPECT_EQ(s["faults"]["fail_first"], 1);
  EXPECT_EQ(s["by_status"]["500"], 1);
  EXPECT_EQ(s["requests_total"], 3);
}

TEST(ProviderDelivery, DripSendsFewBytesInABoundedRead) {
  ProviderOptions options = with_size(16'384);
  options.share_drip = 1;
  options.drip_bytes_per_s = 100;
  RunningProvider provider(options);
  const std::string path = "/img/drip.jpg";
  const std::string body = provider_body(options, path);

  for (int round = 1; round <= 2; ++round) {  // every GET drips
    RawResponse res = raw_get(provider.port(), path, milliseconds(600));
    EXPECT_EQ(res.status(), 200);
    EXPECT_EQ(res.content_length(), body.size());
    EXPECT_EQ(res.end, End::bound);
    EXPECT_GT(res.body.size(), 0u);      // the first piece goes out with the header
    EXPECT_LT(res.body.size(), 2'000u);  // far from 16 KiB: 100 B/s, whatever the timing
    EXPECT_TRUE(res.body == body.substr(0, res.body.size()));
    // The client left mid-drip: counted closed long before the drip would have ended.
    Json s = settled(provider);
    EXPECT_EQ(s["faults"]["drip"], round);
    EXPECT_TRUE(s["by_status"].empty());
  }
}

TEST(ProviderDelivery, ADripThatFinishesIsAWholeResponse) {
  ProviderOptions options = with_size(120);
  options.share_drip = 1;
  options.drip_bytes_per_s = 1000;  // 10-byte pieces, about 0.1 s in all
  RunningProvider provider(options);
  boost::asio::io_context io;
  Connection c(io, provider.port());
  for (int i = 0; i < 2; ++i) {  // and the connection is kept alive after it
    Response res = c.request("/img/d.jpg");
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_TRUE(res.body() == provider_body(options, "/img/d.jpg"));
  }
  Json s = provider.wait_for([](const Json& j) { return j["by_status"].value("200", 0) == 2; });
  EXPECT_EQ(s["connections_total"], 1);
  EXPECT_EQ(s["faults"]["drip"], 2);
}

TEST(ProviderDelivery, DripOnceDripsOnlyTheFirstGet) {
  ProviderOptions options = with_size(16'384);
  options.share_drip = 1;
  options.drip_once = true;
  RunningProvider provider(options);
  const std::string path = "/img/once.jpg";
  EXPECT_EQ(raw_get(provider.port(), path, milliseconds(300)).end, End::bound);
  settled(provider);
  RawResponse second = raw_get(provider.port(), path, kGenerous);
  EXPECT_EQ(second.end, End::complete);
  EXPECT_TRUE(second.body == provider_body(options, path));
  EXPECT_EQ(provider.stats()["faults"]["drip"], 1);
}

TEST(ProviderDelivery, OversizeAnnouncesItsSizeAndStreamsTheBody) {
  ProviderOptions options;
  options.share_oversize = 1;  // --oversize-bytes stays at its 60 MiB default
  RunningProvider provider(options);
  const std::string path = "/img/huge.jpg";
  constexpr uint64_t kOversize = 60ull << 20;

  RawResponse res = raw_get(provider.port(), path, kGenerous, /*max_bytes=*/1 << 20);
  EXPECT_EQ(res.status(), 200);
  EXPECT_EQ(res.content_length(), kOversize);
  EXPECT_EQ(res.field("content-type"), "image/jpeg");
  EXPECT_EQ(res.end, End::max_bytes);
  ASSERT_GT(res.body.size(), 4u);
  EXPECT_TRUE(res.body == ImageBodyStream(kOversize, path).next(res.body.size()));
  Json s = settled(provider);  // the client stopped reading and left
  EXPECT_EQ(s["faults"]["oversize"], 1);
  EXPECT_TRUE(s["by_status"].empty());

  httplib::Client client("127.0.0.1", provider.port());
  auto head = client.Head(path);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->get_header_value("Content-Length"), std::to_string(kOversize));
}

TEST(ProviderDelivery, OversizeCanBeReadToTheEnd) {
  ProviderOptions options;
  options.share_oversize = 1;
  options.oversize_bytes = 3'000'000;
  RunningProvider provider(options);
  RawResponse res = raw_get(provider.port(), "/img/all.png", kGenerous);
  EXPECT_EQ(res.end, End::complete);
  EXPECT_TRUE(res.body == provider_body(SizeSpec{3'000'000, 3'000'000}, "/img/all.png"));
  EXPECT_EQ(provider.wait_for([](const Json& j) {
    return j["by_status"].value("200", 0) == 1;
  })["by_status"]["200"],
            1);
}

TEST(ProviderDelivery, WrongTypeIsServedAsHtml) {
  ProviderOptions options;
  options.share_wrong_type = 1;
  RunningProvider provider(options);
  httplib::Client client("127.0.0.1", provider.port());
  auto res = client.Get("/img/page.jpg");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/html");
  EXPECT_EQ(res->body.substr(0, 15), "<!DOCTYPE html>");
  EXPECT_EQ(provider.stats()["faults"]["wrong_type"], 1);
}

}  // namespace
}  // namespace sluice::provider_test
