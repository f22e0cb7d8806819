#include "provider/body.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "provider/body_stream.h"

namespace sluice {
namespace {

SizeSpec exactly(uint64_t n) { return SizeSpec{n, n}; }

TEST(ProviderBody, IsDeterministicAndExactlySized) {
  const SizeSpec size = exactly(10'000);
  const std::string a = provider_body(size, "/img/1.jpg");
  EXPECT_EQ(a.size(), 10'000u);
  EXPECT_TRUE(a == provider_body(size, "/img/1.jpg"));
  EXPECT_TRUE(a != provider_body(size, "/img/2.jpg"));
  EXPECT_EQ(provider_body(exactly(0), "/img/1.jpg"), "");
  EXPECT_EQ(provider_body(exactly(12'345), "/img/odd.jpg").size(), 12'345u);
}

TEST(ProviderBody, JpegHasSoiJfifAndEoi) {
  const std::string b = provider_body(exactly(4096), "/img/p.jpg");
  EXPECT_EQ(b.substr(0, 4), "\xff\xd8\xff\xe0");
  EXPECT_EQ(b.substr(6, 5), std::string("JFIF\0", 5));
  EXPECT_EQ(b.substr(b.size() - 2), "\xff\xd9");
  EXPECT_EQ(body_content_type("/img/p.jpg"), "image/jpeg");
  EXPECT_EQ(body_content_type("/img/no-extension"), "image/jpeg");
  EXPECT_EQ(provider_body(exactly(64), "/img/no-extension").substr(0, 3), "\xff\xd8\xff");
}

TEST(ProviderBody, PngHasSignatureIhdrAndIend) {
  const std::string b = provider_body(exactly(4096), "/img/p.PNG");
  EXPECT_EQ(b.substr(0, 8), "\x89PNG\r\n\x1a\n");
  EXPECT_EQ(b.substr(8, 8), std::string("\0\0\0\x0dIHDR", 8));
  EXPECT_EQ(b.substr(b.size() - 8), "IEND\xae\x42\x60\x82");
  EXPECT_EQ(body_content_type("/img/p.PNG"), "image/png");
}

TEST(ProviderBody, ShortBodiesHoldAPrefixOfTheHeader) {
  EXPECT_EQ(provider_body(exactly(3), "/img/s.jpg"), "\xff\xd8\xff");
  EXPECT_EQ(provider_body(exactly(4), "/img/s.png"), "\x89PNG");
}

TEST(ProviderBody, SizeRangeIsPerPathAndDeterministic) {
  const SizeSpec range{1000, 2000};
  std::set<uint64_t> sizes;
  for (int i = 0; i < 100; ++i) {
    const std::string path = "/img/" + std::to_string(i) + ".jpg";
    const uint64_t n = body_size(range, path);
    EXPECT_GE(n, 1000u);
    EXPECT_LE(n, 2000u);
    EXPECT_EQ(n, body_size(range, path));
    EXPECT_EQ(provider_body(range, path).size(), n);
    sizes.insert(n);
  }
  EXPECT_GT(sizes.size(), 50u);  // spread over the range, not one size
}

TEST(ProviderBody, Share404IsDeterministicAndRoughlyTheShare) {
  int missing = 0;
  for (int i = 0; i < 10'000; ++i) {
    const std::string path = "/img/" + std::to_string(i) + ".jpg";
    const bool m = answers_404(0.25, path);
    EXPECT_EQ(m, answers_404(0.25, path));
    if (m) {
      EXPECT_TRUE(answers_404(0.5, path)) << "a larger share keeps the smaller's paths";
    }
    missing += m;
    EXPECT_FALSE(answers_404(0, path));
    EXPECT_TRUE(answers_404(1, path));
  }
  EXPECT_GT(missing, 2200);
  EXPECT_LT(missing, 2800);
}

TEST(ProviderBody, EtagAndLastModifiedAreStable) {
  const SizeSpec size = exactly(100);
  const std::string etag = body_etag(size, "/img/e.jpg");
  EXPECT_EQ(etag, body_etag(size, "/img/e.jpg"));
  EXPECT_NE(etag, body_etag(size, "/img/f.jpg"));
  EXPECT_NE(etag, body_etag(exactly(101), "/img/e.jpg"));
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(etag.back(), '"');
  const std::string date = body_last_modified("/img/e.jpg");
  EXPECT_EQ(date, body_last_modified("/img/e.jpg"));
  EXPECT_EQ(date.size(), 29u) << date;  // "Sun, 06 Nov 1994 08:49:37 GMT"
  EXPECT_EQ(date.substr(date.size() - 4), " GMT");
}

TEST(ProviderBody, StreamedInAnyPiecesItIsTheSameBody) {
  for (const char* path : {"/img/s.jpg", "/img/s.png"}) {
    for (uint64_t size : {0ull, 3ull, 21ull, 45ull, 1000ull, 70'001ull}) {
      const std::string whole = provider_body(exactly(size), path);
      ImageBodyStream stream(size, path);
      EXPECT_EQ(stream.size(), size);
      std::string pieces;
      for (size_t n = 1; pieces.size() < size; n = n * 3 + 1) pieces += stream.next(n);
      EXPECT_TRUE(pieces == whole) << path << " " << size;
      EXPECT_EQ(stream.next(100), "");  // nothing past the end
    }
  }
}

TEST(ProviderBody, LargeStreamsKeepTheirFrame) {
  constexpr uint64_t kSize = 60ull << 20;
  ImageBodyStream stream(kSize, "/img/big.png");
  const std::string first = stream.next(64 * 1024);
  EXPECT_EQ(first.substr(0, 8), "\x89PNG\r\n\x1a\n");
  std::string last;
  uint64_t total = first.size();
  while (total < kSize) {
    last = stream.next(1 << 20);
    total += last.size();
  }
  EXPECT_EQ(total, kSize);
  EXPECT_EQ(last.substr(last.size() - 8), "IEND\xae\x42\x60\x82");
}

}  // namespace
}  // namespace sluice
