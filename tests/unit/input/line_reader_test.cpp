// LineReader: line ends, the byte order mark, and the bound on a line's length.
#include "input/line_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <streambuf>

namespace sluice {
namespace {

std::vector<std::string> lines_of(const std::string& text, size_t max_bytes,
                                  std::vector<bool>* too_long = nullptr) {
  std::istringstream in(text);
  LineReader reader(in, max_bytes);
  std::vector<std::string> out;
  std::string line;
  while (reader.next(&line)) {
    out.push_back(line);
    if (too_long) too_long->push_back(reader.too_long());
    EXPECT_EQ(reader.line_number(), out.size());
  }
  EXPECT_FALSE(reader.failed());
  return out;
}

TEST(LineReader, StripsLineEndsAndTheByteOrderMark) {
  EXPECT_THAT(lines_of("\xEF\xBB\xBF"
                       "a\r\nb\n\nc",
                       100),
              ::testing::ElementsAre("a", "b", "", "c"));
  EXPECT_THAT(lines_of("", 100), ::testing::ElementsAre());
  EXPECT_THAT(lines_of("\n", 100), ::testing::ElementsAre(""));
}

TEST(LineReader, ALineLongerThanTheBoundIsCutFlaggedAndTheNextLineIsWhole) {
  std::vector<bool> cut;
  auto lines = lines_of("abcdefgh\r\nabcd\r\nabcde\nxyz", 4, &cut);
  EXPECT_THAT(lines, ::testing::ElementsAre("abcd", "abcd", "abcd", "xyz"));
  EXPECT_THAT(cut, ::testing::ElementsAre(true, false, true, false));
}

TEST(LineReader, LinesLongerThanOneReadChunkAreKeptWhole) {
  std::string long_line(200'000, 'x');
  std::vector<bool> cut;
  auto lines = lines_of(long_line + "\n" + long_line, 200'000, &cut);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], long_line);
  EXPECT_EQ(lines[1], long_line);
  EXPECT_THAT(cut, ::testing::ElementsAre(false, false));
}

// One line of n bytes, made on demand: the input never exists in memory as a whole.
class LongLine : public std::streambuf {
 public:
  explicit LongLine(size_t n) : left_(n) {}

 protected:
  int_type underflow() override {
    if (done_) return traits_type::eof();
    size_t n = std::min(left_, sizeof block_);
    if (n == 0) {
      done_ = true;
      setg(tail_, tail_, tail_ + sizeof tail_ - 1);
      return traits_type::to_int_type(tail_[0]);
    }
    std::fill(block_, block_ + n, 'x');
    left_ -= n;
    setg(block_, block_, block_ + n);
    return traits_type::to_int_type(block_[0]);
  }

 private:
  size_t left_;
  bool done_ = false;
  char block_[1 << 16];
  char tail_[11] = "\nnext line";  // served without its NUL
};

TEST(LineReader, AHundredMegabyteLineIsNeverHeldWhole) {
  LongLine buf(100u << 20);
  std::istream in(&buf);
  LineReader reader(in, 1 << 20);
  std::string line;
  ASSERT_TRUE(reader.next(&line));
  EXPECT_TRUE(reader.too_long());
  EXPECT_EQ(line.size(), 1u << 20);
  EXPECT_LE(line.capacity(), (1u << 20) * 2);  // the kept part only, not 100 MB
  ASSERT_TRUE(reader.next(&line));
  EXPECT_FALSE(reader.too_long());
  EXPECT_EQ(line, "next line");
  EXPECT_EQ(reader.line_number(), 2u);
  EXPECT_FALSE(reader.next(&line));
}

}  // namespace
}  // namespace sluice
