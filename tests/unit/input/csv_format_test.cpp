// CSV with a header row.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "read_helper.h"

namespace sluice::testing {
// Named, not anonymous: the sanitizer builds compile test files together (unity build).
namespace csv_format_test {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Format = InputOptions::Format;

const InputOptions kGtin = with(Format::csv, "image_url", "gtin");

TEST(CsvFormat, ReadsTheNamedColumns) {
  auto r = read(
      "name,gtin,image_url\n"
      "\"Mug, blue\",0400,https://img.example/a.jpg\n"
      "\"The \"\"best\"\" pan\",0401,\"https://img.example/b.jpg\"\n",
      kGtin);
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.jobs.size(), 2u);
  EXPECT_EQ(r.jobs[0].id, "0400");
  EXPECT_EQ(r.jobs[0].url, "https://img.example/a.jpg");
  EXPECT_EQ(r.jobs[0].host_key, "img.example:443");
  EXPECT_EQ(r.jobs[1].id, "0401");
  EXPECT_TRUE(r.problems.empty());
}

TEST(CsvFormat, WithoutAnIdColumnTheUrlIsTheId) {
  auto r = read("url\nhttp://a.example/1\n", with(Format::csv));
  EXPECT_THAT(r.ids(), ElementsAre("http://a.example/1"));
}

TEST(CsvFormat, TheUrlColumnMayAlsoBeTheIdColumn) {
  auto r = read("url\nhttp://a.example/1\n", with(Format::csv, "url", "url"));
  ASSERT_EQ(r.jobs.size(), 1u);
  EXPECT_EQ(r.jobs[0].id, "http://a.example/1");
  EXPECT_EQ(r.jobs[0].url, "http://a.example/1");
}

TEST(CsvFormat, EveryProblemHasItsLineAndASpecificReason) {
  auto r = read(
      "gtin,image_url,name\n"             // 1 header
      "1,http://a.example/1,ok\n"         // 2
      "2,http://a.example/2\n"            // 3 too few
      "3,http://a.example/3,x,y\n"        // 4 too many
      "4,\"http://a.example/4,x\n"        // 5 a quote left open: runs into line 6
      "5,\"http://a.example/5\"x,n\n"     // 6 text after quote
      ",http://a.example/6,n\n"           // 7 empty id
      "7,,n\n"                            // 8 empty url
      "8,mailto:someone@example.com,n\n"  // 9 bad url
      "\n"                                // 10 blank
      "9,http://a.example/9,ok\n",        // 11
      kGtin, "products.csv");
  ASSERT_TRUE(r.status.ok()) << r.status.error().to_string();
  EXPECT_THAT(r.ids(), ElementsAre("1", "9"));
  EXPECT_THAT(r.problem_lines(), ElementsAre(3, 4, 5, 6, 7, 8, 9));
  EXPECT_EQ(r.problems[0].reason, "expected 3 fields as in the header, found 2");
  EXPECT_EQ(r.problems[1].reason, "expected 3 fields as in the header, found 4");
  EXPECT_THAT(r.problems[2].reason, HasSubstr("bad quoting at line 6, column 4"));
  EXPECT_THAT(r.problems[2].reason, HasSubstr("line 6 is read again as a record of its own"));
  EXPECT_THAT(r.problems[3].reason, HasSubstr("bad quoting at column 23"));
  EXPECT_EQ(r.problems[4].reason, "empty id in column \"gtin\"");
  EXPECT_EQ(r.problems[5].reason, "empty URL in column \"image_url\"");
  EXPECT_EQ(r.problems[6].code, Reason::bad_url);
  EXPECT_THAT(r.problems[6].reason, HasSubstr("mailto"));
  EXPECT_EQ(r.problems[0].message(),
            "products.csv:3: bad_input: expected 3 fields as in the header, found 2");
}

// Regression: RFC 4180 lets a quoted field hold a line break; such records were rejected
// (and the line after the break was read as a record of its own).
TEST(CsvFormat, AQuotedFieldMaySpanLines) {
  auto r = read(
      "gtin,image_url,name\n"                        // 1
      "1,http://a.example/1,\"Mug\nblue, large\"\n"  // 2-3
      "2,\"http://a.example/2\",\"a\r\n\r\nb\"\r\n"  // 4-6, CRLF
      "3,http://a.example/3,\"x\"\n",                // 7
      kGtin, "p.csv");
  ASSERT_TRUE(r.status.ok()) << r.status.error().to_string();
  EXPECT_THAT(r.ids(), ElementsAre("1", "2", "3"));
  EXPECT_TRUE(r.problems.empty()) << r.problems[0].message();
}

TEST(CsvFormat, AProblemInARecordSpanningLinesIsReportedAtItsFirstLine) {
  auto r = read(
      "gtin,image_url,name\n"                  // 1
      "1,http://a.example/1,\"two\nlines\"\n"  // 2-3
      "2,http://a.example/2,\"a\nb\",extra\n"  // 4-5: a field too many
      "3,http://a.example/3,ok\n",             // 6
      kGtin, "p.csv");
  EXPECT_THAT(r.ids(), ElementsAre("1", "3"));
  EXPECT_THAT(r.problem_lines(), ElementsAre(4));
  EXPECT_EQ(r.problems[0].message(),
            "p.csv:4: bad_input: expected 3 fields as in the header, found 4");
}

TEST(CsvFormat, AnIdColumnIsUsedWhenNoIdFieldIsNamed) {
  auto r = read("id,url\nA1,http://a.example/1\n,http://a.example/2\n", with(Format::csv));
  EXPECT_THAT(r.ids(), ElementsAre("A1"));
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].line, 3u);
  EXPECT_THAT(r.problems[0].reason, HasSubstr("empty id in column \"id\" (ids come from"));
  // Naming the URL's column keys jobs by URL, an id column notwithstanding.
  r = read("id,url\nA1,http://a.example/1\n", with(Format::csv, "url", "url"));
  EXPECT_THAT(r.ids(), ElementsAre("http://a.example/1"));
}

TEST(CsvFormat, AHeaderWithoutTheUrlColumnStopsWithItsLine) {
  auto r = read("\n\ngtin,picture\n1,http://a.example/1\n", kGtin, "p.csv");
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.error().reason, Reason::bad_input);
  EXPECT_EQ(r.status.error().detail,
            "p.csv:3: the CSV header has no column \"image_url\" (columns: \"gtin\", "
            "\"picture\"); see --url-field");
}

TEST(CsvFormat, AHeaderWithAQuoteLeftOpenStops) {
  auto r = read("gtin,\"image_url\n1,http://a.example/1\n", kGtin, "p.csv");
  ASSERT_FALSE(r.status.ok());
  EXPECT_THAT(r.status.error().detail, HasSubstr("p.csv:1: bad CSV header: "));
  EXPECT_TRUE(r.jobs.empty());
}

TEST(CsvFormat, AHeaderWithoutTheIdColumnStops) {
  auto r = read("sku,image_url\n1,http://a.example/1\n", kGtin, "p.csv");
  ASSERT_FALSE(r.status.ok());
  EXPECT_THAT(r.status.error().detail, HasSubstr("p.csv:1: the CSV header has no column \"gtin\""));
}

TEST(CsvFormat, AcceptsCrlfAByteOrderMarkAndBlankLinesBeforeTheHeader) {
  auto r = read("\xEF\xBB\xBF\r\ngtin,image_url\r\n1,http://a.example/1\r\n\r\n2,bad\r\n", kGtin);
  ASSERT_TRUE(r.status.ok());
  EXPECT_THAT(r.ids(), ElementsAre("1"));
  EXPECT_THAT(r.problem_lines(), ElementsAre(5));
}

}  // namespace csv_format_test
}  // namespace sluice::testing
