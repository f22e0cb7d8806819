#include "store/object_key.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice {
namespace {

TEST(ObjectKey, AcceptsOrdinaryKeys) {
  for (const char* key : {"a", "a.jpg", "ab/cd/ef.png", "...", "a..b", ".hidden", "x/.y",
                          "caf\xc3\xa9.jpg", "\xe6\x97\xa5\xe6\x9c\xac/\xf0\x9f\x98\x80"}) {
    EXPECT_TRUE(check_object_key(key).ok()) << key;
  }
}

TEST(ObjectKey, RefusesKeysThatClimbOrAreAbsolute) {
  for (const char* key :
       {"", "/abs", "/", "..", ".", "../x", "a/../../b", "a/./b", "a/..", "a//b", "a/", "//a"}) {
    Status st = check_object_key(key);
    EXPECT_FALSE(st.ok()) << key;
    EXPECT_EQ(st.error().reason, Reason::bad_key) << key;
  }
}

TEST(ObjectKey, RefusesControlCharactersBackslashesAndBadUtf8) {
  EXPECT_FALSE(check_object_key(std::string("a\0b", 3)).ok());
  EXPECT_FALSE(check_object_key("a\x01"
                                "b")
                   .ok());
  EXPECT_FALSE(check_object_key("a\nb").ok());
  EXPECT_FALSE(check_object_key("a\x7f").ok());
  EXPECT_FALSE(check_object_key("a\xc2\x85").ok());  // U+0085, a C1 control
  EXPECT_FALSE(check_object_key("a\\b").ok());
  EXPECT_FALSE(check_object_key("a\xff").ok());
  EXPECT_FALSE(check_object_key("\xc0\xaf").ok());          // overlong '/'
  EXPECT_FALSE(check_object_key("\xed\xa0\x80").ok());      // a surrogate
  EXPECT_FALSE(check_object_key("\xf4\x90\x80\x80").ok());  // past U+10FFFF
  EXPECT_FALSE(check_object_key("\xe6\x97").ok());          // cut short
}

TEST(ObjectKey, EnforcesLengthLimits) {
  std::string segment(kMaxKeySegmentBytes, 'a');
  EXPECT_TRUE(check_object_key(segment).ok());
  EXPECT_FALSE(check_object_key(segment + "a").ok());

  std::string key;
  while (key.size() + 101 <= kMaxKeyBytes) key += std::string(100, 'k') + "/";
  key += std::string(kMaxKeyBytes - key.size(), 'k');
  ASSERT_EQ(key.size(), kMaxKeyBytes);
  EXPECT_TRUE(check_object_key(key).ok());
  EXPECT_FALSE(check_object_key(key + "k").ok());
}

TEST(ObjectKey, ErrorNamesTheKeyPrintably) {
  Status st = check_object_key("../x\x01");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().detail.find("../x\\x01"), std::string::npos) << st.error().detail;
}

}  // namespace
}  // namespace sluice
