// CurlFetcher follows redirects hop by hop: each hop checked again, counted, and its
// connections attributed to the host actually connected.
#include <gtest/gtest.h>

#include <atomic>

#include "fetch/curl_fetcher.h"
#include "fetch/test_support.h"

namespace sluice {
namespace {

using namespace sluice::testing;

void redirect(httplib::Server& http, const std::string& from, int status, std::string to) {
  http.Get(from, [status, to](const httplib::Request&, httplib::Response& res) {
    res.status = status;
    res.set_header("Location", to);
    res.set_content("moved; this body is not the image", "text/plain");
  });
}

class CurlFetcherRedirectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& http = server_.http();
    http.Get("/img.jpg", [this](const httplib::Request&, httplib::Response& res) {
      res.set_header("ETag", "\"final\"");
      res.set_content(body_, "image/jpeg");
    });
    redirect(http, "/old", 302, "/img.jpg");
    redirect(http, "/a", 301, "b");  // relative
    http.Get("/b", [this](const httplib::Request&, httplib::Response& res) {
      res.status = 307;
      res.set_header("Location", server_.url("/img.jpg"));  // absolute
    });
    redirect(http, "/to-ftp", 302, "ftp://127.0.0.1/img.jpg");
    redirect(http, "/to-file", 302, "file:///etc/passwd");
    http.Get("/loop", [this](const httplib::Request&, httplib::Response& res) {
      ++loop_hits_;
      res.status = 302;
      res.set_header("Location", "/loop");
    });
    http.Get("/no-location", [](const httplib::Request&, httplib::Response& res) {
      res.status = 302;
      res.set_content("nowhere", "text/plain");
    });
    http.Get("/to-other", [this](const httplib::Request&, httplib::Response& res) {
      res.status = 302;
      res.set_header("Location", other_.url("/img.jpg"));
    });
    other_.http().Get("/img.jpg", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(other_body_, "image/png");
    });
    server_.start();
    other_.start();
  }

  FetchResult fetch(const std::string& path, FetchOptions o = local_options()) {
    CurlFetcher f(o, &observer_, nullptr);
    return fetch_one(f, server_.url(path), dir_.file("body.tmp"));
  }

  const std::string body_ = make_body(64 * 1024, 2);
  const std::string other_body_ = make_body(10 * 1024, 3);
  std::atomic<int> loop_hits_{0};
  TestServer server_;
  TestServer other_;
  TempDir dir_;
  CountingObserver observer_;
};

TEST_F(CurlFetcherRedirectTest, FollowsARedirectToAnotherPath) {
  FetchResult r = fetch("/old");
  ASSERT_EQ(r.error.reason, Reason::ok) << r.error.to_string();
  EXPECT_EQ(r.redirects, 1);
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.effective_url, server_.url("/img.jpg"));
  EXPECT_EQ(r.sha256, reference_sha256(body_));  // the redirect's own body is not kept
  EXPECT_EQ(read_file(r.temp_file), body_);
  EXPECT_EQ(r.etag, "\"final\"");
  EXPECT_EQ(r.content_type, "image/jpeg");            // headers of the final response only
  EXPECT_EQ(observer_.opens[server_.host_key()], 1);  // one keep-alive connection for both
}

TEST_F(CurlFetcherRedirectTest, FollowsRelativeAndChainedRedirects) {
  FetchResult r = fetch("/a");
  ASSERT_EQ(r.error.reason, Reason::ok) << r.error.to_string();
  EXPECT_EQ(r.redirects, 2);
  EXPECT_EQ(r.effective_url, server_.url("/img.jpg"));
  EXPECT_EQ(r.sha256, reference_sha256(body_));
}

TEST_F(CurlFetcherRedirectTest, RedirectLoopIsTooManyRedirects) {
  FetchOptions o = local_options();
  o.max_redirects = 5;
  FetchResult r = fetch("/loop", o);
  EXPECT_EQ(r.error.reason, Reason::too_many_redirects) << r.error.to_string();
  EXPECT_EQ(r.redirects, 5);
  EXPECT_EQ(loop_hits_.load(), 6);  // the first request and 5 redirects, then stop
  EXPECT_NE(r.error.detail.find(server_.url("/loop")), std::string::npos) << r.error.detail;
  EXPECT_EQ(dir_.entries(), 0u);
}

TEST_F(CurlFetcherRedirectTest, ExactlyMaxRedirectsIsFine) {
  FetchOptions o = local_options();
  o.max_redirects = 2;
  FetchResult r = fetch("/a", o);  // /a -> b -> /img.jpg
  ASSERT_EQ(r.error.reason, Reason::ok) << r.error.to_string();
  EXPECT_EQ(r.redirects, 2);
}

TEST_F(CurlFetcherRedirectTest, NoRedirectsAllowedMeansTheFirstIsTooMany) {
  FetchOptions o = local_options();
  o.max_redirects = 0;
  FetchResult r = fetch("/old", o);
  EXPECT_EQ(r.error.reason, Reason::too_many_redirects) << r.error.to_string();
  EXPECT_EQ(dir_.entries(), 0u);
}

TEST_F(CurlFetcherRedirectTest, RedirectToFtpIsRefused) {
  FetchResult r = fetch("/to-ftp");
  EXPECT_EQ(r.error.reason, Reason::bad_url) << r.error.to_string();
  EXPECT_NE(r.error.detail.find("ftp://127.0.0.1/img.jpg"), std::string::npos) << r.error.detail;
  EXPECT_EQ(dir_.entries(), 0u);
}

TEST_F(CurlFetcherRedirectTest, RedirectToFileIsRefused) {
  FetchResult r = fetch("/to-file");
  EXPECT_EQ(r.error.reason, Reason::bad_url) << r.error.to_string();
  EXPECT_EQ(dir_.entries(), 0u);
}

TEST_F(CurlFetcherRedirectTest, RedirectWithoutLocationIsAnHttpError) {
  FetchResult r = fetch("/no-location");
  EXPECT_EQ(r.error.code(), "http_302") << r.error.to_string();
  EXPECT_EQ(dir_.entries(), 0u);
}

TEST_F(CurlFetcherRedirectTest, ConnectionsAreAttributedToTheHostConnected) {
  FetchResult r = fetch("/to-other");  // the fetcher is gone afterwards: all closed
  ASSERT_EQ(r.error.reason, Reason::ok) << r.error.to_string();
  EXPECT_EQ(r.sha256, reference_sha256(other_body_));
  EXPECT_EQ(r.effective_url, other_.url("/img.jpg"));
  EXPECT_EQ(observer_.opens[server_.host_key()], 1);
  EXPECT_EQ(observer_.opens[other_.host_key()], 1);
  EXPECT_EQ(observer_.closes[server_.host_key()], 1);
  EXPECT_EQ(observer_.closes[other_.host_key()], 1);
  EXPECT_EQ(observer_.unmatched_closes, 0);
}

TEST_F(CurlFetcherRedirectTest, RedirectToABlockedAddressIsBlocked) {
  // allow_private=false blocks every local address, so the first hop already fails; the
  // point is that the policy is applied per hop by the socket callback, not per URL.
  FetchOptions o = local_options();
  o.allow_private = false;
  FetchResult r = fetch("/to-other", o);
  EXPECT_EQ(r.error.reason, Reason::blocked_address) << r.error.to_string();
  EXPECT_EQ(observer_.total_asked(), 0);
}

TEST_F(CurlFetcherRedirectTest, GateRefusalOnTheSecondHostFailsTheTransfer) {
  // The observer admits the first host only: the redirect's connection is refused.
  class FirstHostOnly final : public ConnectionObserver {
   public:
    explicit FirstHostOnly(std::string host) : host_(std::move(host)) {}
    bool connection_opening(const std::string& h) override { return h == host_; }
    void connection_closed(const std::string&) override {}

   private:
    std::string host_;
  } observer(server_.host_key());
  CurlFetcher f(local_options(), &observer, nullptr);
  FetchResult r = fetch_one(f, server_.url("/to-other"), dir_.file("body.tmp"));
  EXPECT_EQ(r.error.reason, Reason::gate_refused) << r.error.to_string();
  EXPECT_NE(r.error.detail.find(other_.host_key()), std::string::npos) << r.error.detail;
  EXPECT_EQ(dir_.entries(), 0u);
}

}  // namespace
}  // namespace sluice
