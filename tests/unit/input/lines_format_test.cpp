// One URL per line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "read_helper.h"

namespace sluice::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Format = InputOptions::Format;

TEST(LinesFormat, EachLineIsAUrlAndItsOwnId) {
  auto r = read("http://a.example/1.jpg\nhttps://b.example:8443/2.jpg\n", with(Format::lines));
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.jobs.size(), 2u);
  EXPECT_EQ(r.jobs[0].id, "http://a.example/1.jpg");
  EXPECT_EQ(r.jobs[0].url, "http://a.example/1.jpg");
  EXPECT_EQ(r.jobs[0].host_key, "a.example:80");
  EXPECT_EQ(r.jobs[1].host_key, "b.example:8443");
  EXPECT_TRUE(r.problems.empty());
}

TEST(LinesFormat, SkipsBlankLinesAndCommentsAndTrims) {
  auto r = read("# images\n\n   \n  http://a.example/1  \n\t# indented comment\nhttp://a.example/2",
                with(Format::lines));
  EXPECT_THAT(r.ids(), ElementsAre("http://a.example/1", "http://a.example/2"));
  EXPECT_TRUE(r.problems.empty());
}

TEST(LinesFormat, AcceptsCrlfAndAByteOrderMark) {
  auto r = read("\xEF\xBB\xBFhttp://a.example/1\r\nhttp://a.example/2\r\n", with(Format::lines));
  EXPECT_THAT(r.ids(), ElementsAre("http://a.example/1", "http://a.example/2"));
  EXPECT_TRUE(r.problems.empty());
}

TEST(LinesFormat, ABadUrlIsAProblemAtItsLineAndTheRestIsKept) {
  auto r = read("http://a.example/1\nnot a url\n\nftp://a.example/x\nhttp://a.example/2\n",
                with(Format::lines), "urls.txt");
  EXPECT_THAT(r.ids(), ElementsAre("http://a.example/1", "http://a.example/2"));
  ASSERT_EQ(r.problems.size(), 2u);
  EXPECT_EQ(r.problems[0].source, "urls.txt");
  EXPECT_EQ(r.problems[0].line, 2u);
  EXPECT_EQ(r.problems[0].code, Reason::bad_url);
  EXPECT_THAT(r.problems[0].reason, HasSubstr("not a url"));
  EXPECT_EQ(r.problems[1].line, 4u);
  EXPECT_THAT(r.problems[1].reason, HasSubstr("scheme 'ftp' is not http or https"));
  EXPECT_THAT(r.problems[1].message(), StartsWith("urls.txt:4: bad_url: scheme 'ftp'"));
}

TEST(LinesFormat, EmptyInputGivesNothing) {
  auto r = read("", with(Format::lines));
  EXPECT_TRUE(r.status.ok());
  EXPECT_TRUE(r.jobs.empty());
  r = read("\n\n  \n");
  EXPECT_TRUE(r.status.ok());
  EXPECT_TRUE(r.jobs.empty());
  EXPECT_TRUE(r.problems.empty());
}

}  // namespace
}  // namespace sluice::testing
