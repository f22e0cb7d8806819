#include "util/sha256.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace sluice {
namespace {

// FIPS 180-2 test vectors.
constexpr const char* kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* kMillionA =
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), kEmpty);
  EXPECT_EQ(sha256_hex("abc"), kAbc);
  EXPECT_EQ(sha256_hex(std::string(1'000'000, 'a')), kMillionA);
}

TEST(Sha256, StreamingEqualsOneShot) {
  Sha256 h;
  std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) h.update(chunk);
  EXPECT_EQ(h.final_hex(), kMillionA);
}

TEST(Sha256, BinaryDataAndRawPointer) {
  std::string data("a\0b\xff", 4);
  Sha256 h;
  h.update(data.data(), 2);
  h.update(data.data() + 2, 2);
  h.update(nullptr, 0);
  EXPECT_EQ(h.final_hex(), sha256_hex(data));
}

TEST(Sha256, StartsOverAfterFinal) {
  Sha256 h;
  h.update("abc");
  EXPECT_EQ(h.final_hex(), kAbc);
  EXPECT_EQ(h.final_hex(), kEmpty);
  h.update("a");
  h.update("bc");
  EXPECT_EQ(h.final_hex(), kAbc);
}

TEST(Sha256, Movable) {
  Sha256 a;
  a.update("ab");
  Sha256 b = std::move(a);
  b.update("c");
  EXPECT_EQ(b.final_hex(), kAbc);
}

TEST(Sha256, LowerCaseHexOf64Chars) {
  std::string hex = sha256_hex("sluice");
  ASSERT_EQ(hex.size(), 64u);
  for (char c : hex) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << hex;
}

}  // namespace
}  // namespace sluice
