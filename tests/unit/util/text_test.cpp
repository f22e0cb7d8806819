#include "util/text.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice {
namespace {

TEST(Printable, EscapesAndCuts) {
  EXPECT_EQ(printable("abc"), "abc");
  EXPECT_EQ(printable("a\nb"), "a\\x0ab");
  EXPECT_EQ(printable("a\\b"), "a\\x5cb");
  EXPECT_EQ(printable("\xff"), "\\xff");
  EXPECT_EQ(printable("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(printable("a\xc2\x85z"), "a\\xc2\\x85z");  // C1 control NEL
  EXPECT_EQ(printable(std::string(300, 'x'), 10), std::string(10, 'x') + "...");
  EXPECT_EQ(printable(std::string(10, 'x'), 10), std::string(10, 'x'));
}

TEST(Printable, AHugeValueIsCutToAboutTheDefaultBound) {
  std::string huge(100u << 20, 'x');
  huge[5] = '\n';
  std::string p = printable(huge);
  EXPECT_LE(p.size(), kPrintableBytes + 3 + 3);  // one escape may end past the bound, then ...
  EXPECT_EQ(p.substr(0, 9), "xxxxx\\x0a");
  EXPECT_EQ(p.substr(p.size() - 3), "...");
}

TEST(Printable, NeverSplitsAUtf8Character) {
  std::string s;
  for (int i = 0; i < 10; ++i) s += "\xc3\xa9";  // é, 2 bytes
  std::string p = printable(s, 5);
  EXPECT_EQ(p, "\xc3\xa9\xc3\xa9\xc3\xa9...");
  EXPECT_TRUE(is_valid_utf8(p));
}

TEST(Utf8, Validates) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("\xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\x80"));
  EXPECT_FALSE(is_valid_utf8("\xe0\x80\x80"));  // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));  // surrogate
}

TEST(HeaderText, TrimAndCaseInsensitiveEquality) {
  EXPECT_EQ(trim_header(" \tvalue \r\n"), "value");
  EXPECT_TRUE(iequals("Content-Type", "content-type"));
  EXPECT_FALSE(iequals("Content-Type", "content-typ"));
}

}  // namespace
}  // namespace sluice
