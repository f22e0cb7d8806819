// Responses whose framing or head is hostile: conflicting Content-Length, Content-Length
// with chunked encoding, oversized header blocks, status codes HTTP does not define.
// None of them may end as a stored body.
#include <gtest/gtest.h>

#include <filesystem>

#include "fetch/curl_fetcher.h"
#include "fetch/raw_server.h"
#include "fetch/test_support.h"

namespace sluice {
// Named, not anonymous: the sanitizer builds compile test files together (unity build).
namespace curl_fetcher_framing_test {

using namespace sluice::testing;

const std::string kJpeg = std::string("\xff\xd8\xff\xe0", 4) + std::string(2018, 'j');  // 2022

FetchResult fetch_raw(const std::string& response, TempDir& dir) {
  RawServer server(response);
  CurlFetcher f(local_options(), nullptr, nullptr);
  return fetch_one(f, server.url("/a.jpg"), dir.file("body.tmp"));
}

TEST(CurlFetcherFramingTest, ConflictingContentLengthsAreRefused) {
  TempDir dir;
  // The order a smuggling proxy would use: the short length first.
  FetchResult r = fetch_raw(
      "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 5\r\n"
      "Content-Length: 2022\r\n\r\n" +
          kJpeg,
      dir);
  EXPECT_EQ(r.error.reason, Reason::bad_framing) << r.error.to_string();
  EXPECT_EQ(classify(r.error), ErrorClass::permanent);
  EXPECT_FALSE(std::filesystem::exists(dir.file("body.tmp")));
  EXPECT_EQ(r.bytes, 0u);
}

TEST(CurlFetcherFramingTest, ConflictingContentLengthsTheOtherWayAreRefused) {
  TempDir dir;
  FetchResult r = fetch_raw(
      "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 2022\r\n"
      "Content-Length: 5\r\n\r\n" +
          kJpeg,
      dir);
  EXPECT_EQ(r.error.reason, Reason::bad_framing) << r.error.to_string();
  EXPECT_FALSE(std::filesystem::exists(dir.file("body.tmp")));
}

TEST(CurlFetcherFramingTest, RepeatedEqualContentLengthIsFine) {
  TempDir dir;
  FetchResult r = fetch_raw(
      "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 2022\r\n"
      "Content-Length: 2022\r\n\r\n" +
          kJpeg,
      dir);
  ASSERT_EQ(r.error.reason, Reason::ok) << r.error.to_string();
  EXPECT_EQ(r.bytes, 2022u);
  EXPECT_EQ(r.sha256, reference_sha256(kJpeg));
}

TEST(CurlFetcherFramingTest, ContentLengthWithChunkedEncodingIsRefused) {
  TempDir dir;
  FetchResult r = fetch_raw(
      "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 5\r\n"
      "Transfer-Encoding: chunked\r\n\r\n7e6\r\n" +
          kJpeg + "\r\n0\r\n\r\n",
      dir);
  EXPECT_EQ(r.error.reason, Reason::bad_framing) << r.error.to_string();
  EXPECT_FALSE(std::filesystem::exists(dir.file("body.tmp")));
}

TEST(CurlFetcherFramingTest, UnreadableContentLengthIsRefused) {
  TempDir dir;
  FetchResult r = fetch_raw(
      "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 2022\r\n"
      "Content-Length: 20x2\r\n\r\n" +
          kJpeg,
      dir);
  EXPECT_EQ(r.error.reason, Reason::bad_framing) << r.error.to_string();
}

TEST(CurlFetcherFramingTest, ManyLargeHeadersAreHeadersTooLarge) {
  TempDir dir;
  std::string headers;
  for (int i = 0; i < 200; ++i)
    headers += "X-H" + std::to_string(i) + ": " + std::string(1000, 'a') + "\r\n";
  FetchResult r = fetch_raw("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n" + headers +
                                "Content-Length: 2022\r\n\r\n" + kJpeg,
                            dir);
  EXPECT_EQ(r.error.reason, Reason::headers_too_large) << r.error.to_string();
  EXPECT_EQ(classify(r.error), ErrorClass::permanent);
}

TEST(CurlFetcherFramingTest, OneHugeHeaderLineIsHeadersTooLarge) {
  TempDir dir;
  FetchResult r = fetch_raw(
      "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nX-Big: " + std::string(200'000, 'a') +
          "\r\nContent-Length: 2022\r\n\r\n" + kJpeg,
      dir);
  EXPECT_EQ(r.error.reason, Reason::headers_too_large) << r.error.to_string();
}

TEST(CurlFetcherFramingTest, HeadersJustUnderTheLimitAreFine) {
  TempDir dir;
  std::string headers;
  for (int i = 0; i < 50; ++i)
    headers += "X-H" + std::to_string(i) + ": " + std::string(1000, 'a') + "\r\n";
  FetchResult r = fetch_raw("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n" + headers +
                                "Content-Length: 2022\r\n\r\n" + kJpeg,
                            dir);
  EXPECT_EQ(r.error.reason, Reason::ok) << r.error.to_string();
}

TEST(CurlFetcherFramingTest, UnknownStatusCodeIsBadStatusNotRetried) {
  TempDir dir;
  FetchResult r = fetch_raw("HTTP/1.1 999 Weird\r\nContent-Length: 0\r\n\r\n", dir);
  EXPECT_EQ(r.error.reason, Reason::bad_status) << r.error.to_string();
  EXPECT_EQ(classify(r.error), ErrorClass::permanent);
  EXPECT_EQ(r.http_status, 999);
}

TEST(CurlFetcherFramingTest, KnownButUnusualStatusesKeepTheirHttpCode) {
  TempDir dir;
  FetchResult r = fetch_raw("HTTP/1.1 599 Network Timeout\r\nContent-Length: 0\r\n\r\n", dir);
  EXPECT_EQ(r.error.reason, Reason::http_status) << r.error.to_string();
  EXPECT_EQ(r.error.code(), "http_599");
}

}  // namespace curl_fetcher_framing_test
}  // namespace sluice
