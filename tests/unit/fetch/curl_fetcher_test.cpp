// CurlFetcher against a local provider: bodies, headers, sizes and failure reasons.
#include "fetch/curl_fetcher.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "fetch/test_support.h"

namespace sluice {
namespace {

using namespace sluice::testing;

class CurlFetcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& http = server_.http();
    http.Get("/img.jpg", [this](const httplib::Request&, httplib::Response& res) {
      res.set_header("ETag", "\"v1-abc\"");
      res.set_header("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT");
      res.set_content(body_, "image/jpeg");
    });
    http.Get("/empty", [](const httplib::Request&, httplib::Response& res) {
      res.status = 200;
      res.set_content("", "image/png");
    });
    http.Get("/gone-long", [](const httplib::Request&, httplib::Response& res) {
      res.status = 410;
      res.set_content(std::string(3 << 20, 'e'), "text/html");
    });
    http.Get("/busy", [](const httplib::Request&, httplib::Response& res) {
      res.status = 503;
      res.set_header("Retry-After", "7");
      res.set_content("try later", "text/plain");
    });
    http.Get("/short", [](const httplib::Request&, httplib::Response& res) {
      // Promises 1000 bytes, sends 100, then drops the connection.
      res.set_content_provider(1000, "image/jpeg", [](size_t, size_t, httplib::DataSink& sink) {
        sink.write(std::string(100, 'x').data(), 100);
        return false;
      });
    });
    http.Get("/stream", [](const httplib::Request&, httplib::Response& res) {
      // Chunked, no Content-Length: 100 KiB in 4 KiB chunks.
      res.set_chunked_content_provider("image/jpeg", [](size_t offset, httplib::DataSink& sink) {
        if (offset >= 100 * 1024) {
          sink.done();
          return true;
        }
        return sink.write(std::string(4096, 'y').data(), 4096);
      });
    });
    http.Get("/huge-stalled", [this](const httplib::Request&, httplib::Response& res) {
      // Announces 10 MB, then sends nothing until the test ends.
      res.set_content_provider(10'000'000, "image/jpeg",
                               [this](size_t, size_t, httplib::DataSink&) {
                                 release_.wait();
                                 return false;
                               });
    });
    http.Get("/stall", [this](const httplib::Request&, httplib::Response& res) {
      release_.wait();
      res.set_content("late", "text/plain");
    });
    server_.start();
  }

  FetchResult fetch(const std::string& path, FetchOptions o = local_options()) {
    CurlFetcher f(o, &observer_, nullptr);
    return fetch_one(f, server_.url(path), dir_.file("body.tmp"));
  }

  const std::string body_ = make_body(300 * 1024 + 17, 1);
  TestServer server_;
  Latch release_;  // after server_: opens (and frees blocked handlers) before the server stops
  TempDir dir_;
  CountingObserver observer_;
};

TEST_F(CurlFetcherTest, StoresA200BodyWithItsSha256AndHeaders) {
  FetchResult r = fetch("/img.jpg");
  ASSERT_TRUE(r.error.reason == Reason::ok) << r.error.to_string();
  EXPECT_EQ(r.tag, 1u);
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.bytes, body_.size());
  EXPECT_EQ(r.sha256, reference_sha256(body_));
  EXPECT_EQ(r.temp_file, dir_.file("body.tmp"));
  EXPECT_EQ(read_file(r.temp_file), body_);
  EXPECT_EQ(r.content_type, "image/jpeg");
  EXPECT_EQ(r.etag, "\"v1-abc\"");
  EXPECT_EQ(r.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT");
  EXPECT_EQ(r.effective_url, server_.url("/img.jpg"));
  EXPECT_EQ(r.redirects, 0);
  EXPECT_GT(r.seconds, 0.0);
  // 0644 as created (less whatever the umask takes away): never executable or world-writable.
  using std::filesystem::perms;
  const perms p = std::filesystem::status(r.temp_file).permissions();
  EXPECT_NE(p & perms::owner_read, perms::none);
  EXPECT_EQ(p & (perms::owner_exec | perms::group_exec | perms::others_exec | perms::group_write |
                 perms::others_write),
            perms::none);
}

TEST_F(CurlFetcherTest, ReferenceHashMatchesAKnownVector) {
  EXPECT_EQ(reference_sha256("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(CurlFetcherTest, EmptyBodyIsAnEmptyFile) {
  FetchResult r = fetch("/empty");
  ASSERT_EQ(r.error.reason, Reason::ok) << r.error.to_string();
  EXPECT_EQ(r.bytes, 0u);
  EXPECT_EQ(r.sha256, reference_sha256(""));
  EXPECT_TRUE(std::filesystem::exists(r.temp_file));
  EXPECT_EQ(std::filesystem::file_size(r.temp_file), 0u);
}

TEST_F(CurlFetcherTest, NotFoundIsHttp404AndLeavesNoFile) {
  FetchResult r = fetch("/missing");
  EXPECT_EQ(r.error.reason, Reason::http_status);
  EXPECT_EQ(r.error.code(), "http_404");
  EXPECT_EQ(r.http_status, 404);
  EXPECT_NE(r.error.detail.find(server_.url("/missing")), std::string::npos) << r.error.detail;
  EXPECT_TRUE(r.sha256.empty());
  EXPECT_EQ(dir_.entries(), 0u);
}

TEST_F(CurlFetcherTest, ErrorBodiesAreDroppedAndTheConnectionReused) {
  CurlFetcher f(local_options(), &observer_, nullptr);
  EXPECT_EQ(fetch_one(f, server_.url("/missing"), dir_.file("a.tmp")).error.code(), "http_404");
  EXPECT_EQ(fetch_one(f, server_.url("/busy"), dir_.file("b.tmp")).error.code(), "http_503");
  EXPECT_EQ(fetch_one(f, server_.url("/img.jpg"), dir_.file("c.tmp")).error.reason, Reason::ok);
  EXPECT_EQ(observer_.opens[server_.host_key()], 1);
}

TEST_F(CurlFetcherTest, LongErrorBodyIsCutShortButKeepsItsStatus) {
  FetchResult r = fetch("/gone-long");
  EXPECT_EQ(r.error.code(), "http_410") << r.error.to_string();
  EXPECT_EQ(dir_.entries(), 0u);
}

TEST_F(CurlFetcherTest, ServiceUnavailableKeepsRetryAfter) {
  FetchResult r = fetch("/busy");
  EXPECT_EQ(r.error.code(), "http_503");
  EXPECT_EQ(r.retry_after, "7");
  EXPECT_EQ(r.content_type, "text/plain");
  EXPECT_EQ(dir_.entries(), 0u);
}

TEST_F(CurlFetcherTest, BodyOverMaxBytesIsTooLarge) {
  FetchOptions o = local_options();
  o.max_bytes = 1000;
  FetchResult r = fetch("/img.jpg", o);
  EXPECT_EQ(r.error.reason, Reason::too_large) << r.error.to_string();
  EXPECT_EQ(dir_.entries(), 0u);
}

TEST_F(CurlFetcherTest, BodyOfExactlyMaxBytesIsKept) {
  FetchOptions o = local_options();
  o.max_bytes = body_.size();
  FetchResult r = fetch("/img.jpg", o);
  EXPECT_EQ(r.error.reason, Reason::ok) << r.error.to_string();
}

TEST_F(CurlFetcherTest, ContentLengthOverMaxBytesIsRefusedBeforeTheBody) {
  // The server never sends a byte of the body: only the header can have decided.
  FetchOptions o = local_options();
  o.max_bytes = 1'000'000;
  FetchResult r = fetch("/huge-stalled", o);
  EXPECT_EQ(r.error.reason, Reason::too_large) << r.error.to_string();
  EXPECT_NE(r.error.detail.find("Content-Length"), std::string::npos) << r.error.detail;
  EXPECT_EQ(dir_.entries(), 0u);
}

TEST_F(CurlFetcherTest, StreamedBodyOverMaxBytesIsTooLarge) {
  FetchOptions o = local_options();
  o.max_bytes = 10'000;
  FetchResult r = fetch("/stream", o);
  EXPECT_EQ(r.error.reason, Reason::too_large) << r.error.to_string();
  EXPECT_EQ(dir_.entries(), 0u);
}

TEST_F(CurlFetcherTest, ChunkedBodyUnderTheLimitIsKept) {
  FetchResult r = fetch("/stream");
  ASSERT_EQ(r.error.reason, Reason::ok) << r.error.to_string();
  EXPECT_EQ(r.bytes, 100u * 1024);
  EXPECT_EQ(r.sha256, reference_sha256(std::string(100 * 1024, 'y')));
}

TEST_F(CurlFetcherTest, BodyShorterThanContentLengthIsTruncated) {
  FetchResult r = fetch("/short");
  EXPECT_EQ(r.error.reason, Reason::truncated) << r.error.to_string();
  EXPECT_EQ(dir_.entries(), 0u);
}

TEST_F(CurlFetcherTest, SlowResponseTimesOut) {
  FetchOptions o = local_options();
  o.total_timeout_ms = 300;
  o.abandon_hold_ms = 200;  // the drain after the deadline (curl_fetcher_abandon_test.cpp)
  FetchResult r = fetch("/stall", o);
  EXPECT_EQ(r.error.reason, Reason::timeout) << r.error.to_string();
  EXPECT_EQ(dir_.entries(), 0u);
}

// The temp file is made when a 2xx body begins; one that is already there is a local
// fault (our spool, not the job), and it is left alone.
TEST_F(CurlFetcherTest, ExistingTempFileIsALocalFaultAndLeftAlone) {
  { std::ofstream(dir_.file("body.tmp")) << "not ours"; }
  FetchResult r = fetch("/img.jpg");
  EXPECT_EQ(r.error.reason, Reason::local_io) << r.error.to_string();
  EXPECT_NE(r.error.detail.find(dir_.file("body.tmp").string()), std::string::npos);
  EXPECT_EQ(read_file(dir_.file("body.tmp")), "not ours");
}

TEST_F(CurlFetcherTest, BadUrlsFailWithoutANetworkAttempt) {
  for (const char* url : {"ftp://127.0.0.1/x.jpg", "not a url", "file:///etc/passwd", ""}) {
    CurlFetcher f(local_options(), &observer_, nullptr);
    FetchResult r = fetch_one(f, url, dir_.file("body.tmp"));
    EXPECT_EQ(r.error.reason, Reason::bad_url) << url << ": " << r.error.to_string();
    EXPECT_EQ(f.in_flight(), 0u);
  }
  EXPECT_EQ(observer_.total_asked(), 0);
  EXPECT_EQ(dir_.entries(), 0u);
}

TEST_F(CurlFetcherTest, RefusedConnectionIsConnect) {
  int port = 0;
  {  // a port nobody listens on: bound, then closed
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
    port = ntohs(a.sin_port);
    ::close(fd);
  }
  CurlFetcher f(local_options(), &observer_, nullptr);
  FetchResult r =
      fetch_one(f, "http://127.0.0.1:" + std::to_string(port) + "/x", dir_.file("body.tmp"));
  EXPECT_EQ(r.error.reason, Reason::connect) << r.error.to_string();
  EXPECT_NE(r.error.detail.find(std::to_string(port)), std::string::npos);
  EXPECT_EQ(dir_.entries(), 0u);
}

TEST_F(CurlFetcherTest, UnresolvableNameIsDns) {
  FetchResult r = fetch_one(*std::make_unique<CurlFetcher>(local_options(), &observer_, nullptr),
                            "http://no-such-host.invalid/x.jpg", dir_.file("body.tmp"));
  EXPECT_EQ(r.error.reason, Reason::dns) << r.error.to_string();
  EXPECT_EQ(dir_.entries(), 0u);
}

}  // namespace
}  // namespace sluice
