// CurlFetcher with FetchRequest::memory_limit: a body within it stays in memory (no temp
// file, not hashed: the store hashes it); a longer one goes to the temp file, hashed,
// whether its length was declared or it grew past the limit while it arrived.
#include <gtest/gtest.h>

#include "fetch/curl_fetcher.h"
#include "fetch/test_support.h"

namespace sluice {
namespace {

using namespace sluice::testing;

constexpr uint64_t kLimit = 64 * 1024;

class CurlFetcherMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& http = server_.http();
    http.Get(R"(/sized/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
      const size_t n = std::stoul(req.matches[1]);
      res.set_content(make_body(n, static_cast<uint32_t>(n)), "image/jpeg");
    });
    http.Get(R"(/chunked/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
      // No Content-Length: the fetcher learns the length only as the body arrives.
      const size_t n = std::stoul(req.matches[1]);
      res.set_chunked_content_provider("image/jpeg", [n](size_t offset, httplib::DataSink& sink) {
        if (offset >= n) {
          sink.done();
          return true;
        }
        const std::string all = make_body(n, static_cast<uint32_t>(n));
        const size_t len = std::min<size_t>(4096, n - offset);
        return sink.write(all.data() + offset, len);
      });
    });
    http.Get("/short", [](const httplib::Request&, httplib::Response& res) {
      res.set_content_provider(1000, "image/jpeg", [](size_t, size_t, httplib::DataSink& sink) {
        sink.write(std::string(100, 'x').data(), 100);
        return false;
      });
    });
    server_.start();
  }

  FetchResult fetch(const std::string& path, uint64_t limit = kLimit) {
    return fetch_one(f_, server_.url(path), dir_.file("body.tmp"), ++tag_, false, limit);
  }

  TestServer server_;
  TempDir dir_;
  CountingObserver observer_;
  CurlFetcher f_{local_options(), &observer_, nullptr};
  uint64_t tag_ = 0;
};

TEST_F(CurlFetcherMemoryTest, ABodyWithinTheLimitStaysInMemoryUnhashed) {
  const std::string want = make_body(10240, 10240);
  FetchResult r = fetch("/sized/10240");
  ASSERT_EQ(r.error.reason, Reason::ok) << r.error.to_string();
  ASSERT_TRUE(r.body);
  EXPECT_EQ(*r.body, want);
  EXPECT_EQ(r.bytes, want.size());
  EXPECT_TRUE(r.sha256.empty());
  EXPECT_EQ(r.head, want.substr(0, kHeadBytes));
  EXPECT_EQ(r.content_type, "image/jpeg");
  EXPECT_EQ(dir_.entries(), 0u);  // nothing touched the disk
}

TEST_F(CurlFetcherMemoryTest, ABodyOfExactlyTheLimitStaysInMemory) {
  FetchResult r = fetch("/sized/" + std::to_string(kLimit));
  ASSERT_EQ(r.error.reason, Reason::ok) << r.error.to_string();
  ASSERT_TRUE(r.body);
  EXPECT_EQ(*r.body, make_body(kLimit, kLimit));
  EXPECT_EQ(dir_.entries(), 0u);
}

TEST_F(CurlFetcherMemoryTest, AnEmptyBodyStaysInMemory) {
  FetchResult r = fetch("/sized/0");
  ASSERT_EQ(r.error.reason, Reason::ok) << r.error.to_string();
  ASSERT_TRUE(r.body);
  EXPECT_TRUE(r.body->empty());
  EXPECT_EQ(dir_.entries(), 0u);
}

TEST_F(CurlFetcherMemoryTest, ADeclaredLengthOverTheLimitGoesToTheTempFileHashed) {
  const size_t n = kLimit + 1;
  FetchResult r = fetch("/sized/" + std::to_string(n));
  ASSERT_EQ(r.error.reason, Reason::ok) << r.error.to_string();
  EXPECT_FALSE(r.body);
  EXPECT_EQ(read_file(dir_.file("body.tmp")), make_body(n, n));
  EXPECT_EQ(r.sha256, reference_sha256(make_body(n, n)));
}

TEST_F(CurlFetcherMemoryTest, ABodyThatGrowsPastTheLimitSpillsToTheTempFileWhole) {
  // 100 KiB in 4 KiB chunks: 16 of them fit in memory, the 17th spills them all.
  const size_t n = 100 * 1024;
  FetchResult r = fetch("/chunked/" + std::to_string(n));
  ASSERT_EQ(r.error.reason, Reason::ok) << r.error.to_string();
  EXPECT_FALSE(r.body);
  EXPECT_EQ(r.bytes, n);
  EXPECT_EQ(read_file(dir_.file("body.tmp")), make_body(n, n));
  EXPECT_EQ(r.sha256, reference_sha256(make_body(n, n)));
  EXPECT_EQ(r.head, make_body(n, n).substr(0, kHeadBytes));
}

TEST_F(CurlFetcherMemoryTest, AChunkedBodyOneByteOverTheLimitSpills) {
  const size_t n = kLimit + 1;
  FetchResult r = fetch("/chunked/" + std::to_string(n));
  ASSERT_EQ(r.error.reason, Reason::ok) << r.error.to_string();
  EXPECT_FALSE(r.body);
  EXPECT_EQ(read_file(dir_.file("body.tmp")), make_body(n, n));
  EXPECT_EQ(r.sha256, reference_sha256(make_body(n, n)));
}

TEST_F(CurlFetcherMemoryTest, AChunkedBodyWithinTheLimitStaysInMemory) {
  const size_t n = 20 * 1024;
  FetchResult r = fetch("/chunked/" + std::to_string(n));
  ASSERT_EQ(r.error.reason, Reason::ok) << r.error.to_string();
  ASSERT_TRUE(r.body);
  EXPECT_EQ(*r.body, make_body(n, n));
  EXPECT_EQ(dir_.entries(), 0u);
}

TEST_F(CurlFetcherMemoryTest, ASpillThatCannotBeWrittenIsALocalFaultAndLeavesNothing) {
  const size_t n = 200 * 1024;
  FetchResult r;
  {
    FileSizeLimit limit(16 * 1024);  // the spill of 64 KiB fails
    r = fetch("/chunked/" + std::to_string(n));
  }
  EXPECT_EQ(r.error.reason, Reason::local_io) << r.error.to_string();
  EXPECT_FALSE(r.body);
  EXPECT_TRUE(r.sha256.empty());
  EXPECT_EQ(dir_.entries(), 0u);
  // The rest of the body was read and dropped: the next request reuses the connection.
  FetchResult r2 = fetch("/sized/100");
  ASSERT_EQ(r2.error.reason, Reason::ok) << r2.error.to_string();
  EXPECT_EQ(observer_.opens[server_.host_key()], 1);
}

TEST_F(CurlFetcherMemoryTest, ATruncatedBodyInMemoryIsTruncatedAndKeepsNothing) {
  FetchResult r = fetch("/short");
  EXPECT_EQ(r.error.reason, Reason::truncated) << r.error.to_string();
  EXPECT_FALSE(r.body);
  EXPECT_EQ(dir_.entries(), 0u);
}

TEST_F(CurlFetcherMemoryTest, WithoutALimitEveryBodyGoesToTheTempFile) {
  FetchResult r = fetch("/sized/100", 0);
  ASSERT_EQ(r.error.reason, Reason::ok) << r.error.to_string();
  EXPECT_FALSE(r.body);
  EXPECT_EQ(read_file(dir_.file("body.tmp")), make_body(100, 100));
  EXPECT_EQ(r.sha256, reference_sha256(make_body(100, 100)));
}

}  // namespace
}  // namespace sluice
