// CurlFetcher when our own disk fails: the temp file cannot be created or written. The
// response is still read to its end and dropped, so the provider sees a request that ended
// normally and the connection is reused; the result is a local fault, not the job's.
#include <gtest/gtest.h>

#include <atomic>

#include "fetch/curl_fetcher.h"
#include "fetch/test_support.h"

namespace sluice {
namespace {

using namespace sluice::testing;

class CurlFetcherDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.http().Get(R"(/big/(\d+))",
                       [this](const httplib::Request& req, httplib::Response& res) {
                         ++requests_;
                         res.set_content(body(std::stoi(req.matches[1])), "image/jpeg");
                       });
    server_.http().Get("/missing", [this](const httplib::Request&, httplib::Response& res) {
      ++requests_;
      res.status = 404;
      res.set_content("no such image", "text/plain");
    });
    server_.start();
  }

  static std::string body(int i) { return make_body(256 * 1024 + i, i); }
  std::string host() const { return server_.host_key(); }

  std::atomic<int> requests_{0};
  TestServer server_;
  TempDir dir_;
  CountingObserver observer_;
};

// Regression: a write error on the temp file aborted the transfer; libcurl then closed the
// connection, and the engine's retries opened new ones in a loop (302 connections for 452
// requests, and the provider counted one over the cap).
TEST_F(CurlFetcherDiskTest, AWriteErrorDrainsTheBodyAndTheConnectionIsReused) {
  CurlFetcher f(local_options(), &observer_, nullptr);
  FetchResult r;
  {
    FileSizeLimit limit(16 * 1024);  // the disk "fills up" 16 KiB into the body
    r = fetch_one(f, server_.url("/big/1"), dir_.file("1.tmp"), 1);
  }
  EXPECT_EQ(r.error.reason, Reason::local_io) << r.error.to_string();
  EXPECT_EQ(classify(r.error), ErrorClass::local);
  EXPECT_NE(r.error.detail.find("cannot write temp file '" + dir_.file("1.tmp").string()),
            std::string::npos)
      << r.error.detail;
  EXPECT_NE(r.error.detail.find("File too large"), std::string::npos) << r.error.detail;
  EXPECT_EQ(r.http_status, 200);
  EXPECT_TRUE(r.sha256.empty());
  EXPECT_EQ(dir_.entries(), 0u);  // the partial file is gone

  FetchResult r2 = fetch_one(f, server_.url("/big/2"), dir_.file("2.tmp"), 2);
  ASSERT_EQ(r2.error.reason, Reason::ok) << r2.error.to_string();
  EXPECT_EQ(r2.sha256, reference_sha256(body(2)));
  EXPECT_EQ(requests_.load(), 2);
  // The first request ended normally, so the second went on the same connection.
  EXPECT_EQ(observer_.opens[host()], 1);
  EXPECT_EQ(observer_.open_now[host()], 1);
}

TEST_F(CurlFetcherDiskTest, ATempFileThatCannotBeCreatedIsALocalFaultToo) {
  CurlFetcher f(local_options(), &observer_, nullptr);
  FetchResult r = fetch_one(f, server_.url("/big/3"), dir_.file("no-such-dir/3.tmp"), 3);
  EXPECT_EQ(r.error.reason, Reason::local_io) << r.error.to_string();
  EXPECT_NE(
      r.error.detail.find("cannot create temp file '" + dir_.file("no-such-dir/3.tmp").string()),
      std::string::npos)
      << r.error.detail;
  EXPECT_EQ(r.http_status, 200);

  FetchResult r2 = fetch_one(f, server_.url("/big/4"), dir_.file("4.tmp"), 4);
  ASSERT_EQ(r2.error.reason, Reason::ok) << r2.error.to_string();
  EXPECT_EQ(observer_.opens[host()], 1);
  EXPECT_EQ(dir_.entries(), 1u);  // 4.tmp only
}

// The temp file is made only for a 2xx body: an error answer never touches the disk, so a
// broken spool cannot turn a 404 into a local fault.
TEST_F(CurlFetcherDiskTest, AnErrorAnswerNeverTouchesTheDisk) {
  CurlFetcher f(local_options(), &observer_, nullptr);
  FetchResult r = fetch_one(f, server_.url("/missing"), dir_.file("no-such-dir/5.tmp"), 5);
  EXPECT_EQ(r.error.code(), "http_404") << r.error.to_string();
}

}  // namespace
}  // namespace sluice
