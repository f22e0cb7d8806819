// CsvRecords (libcsv, strict) and split_csv_record: quoting, records spanning lines, the
// line a record is reported at, resuming after a bad record, and the record bound.
#include "input/csv_records.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

namespace sluice {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Fields = std::vector<std::string>;

std::vector<std::string> split(std::string_view line) {
  std::vector<std::string> out;
  Status s = split_csv_record(line, &out);
  EXPECT_TRUE(s.ok()) << s.error().to_string();
  return out;
}

std::string split_error(std::string_view line) {
  std::vector<std::string> out;
  Status s = split_csv_record(line, &out);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.error().reason, Reason::bad_input);
  return s.error().detail;
}

TEST(SplitCsvRecord, PlainFields) {
  EXPECT_THAT(split("a,b,c"), ElementsAre("a", "b", "c"));
  EXPECT_THAT(split("a"), ElementsAre("a"));
  EXPECT_THAT(split(""), ElementsAre(""));
}

TEST(SplitCsvRecord, EmptyFieldsAreKept) {
  EXPECT_THAT(split("a,,c"), ElementsAre("a", "", "c"));
  EXPECT_THAT(split("a,b,"), ElementsAre("a", "b", ""));
  EXPECT_THAT(split(",,"), ElementsAre("", "", ""));
}

TEST(SplitCsvRecord, UnquotedFieldsAreTrimmed) {
  EXPECT_THAT(split(" a ,\tb\t, c"), ElementsAre("a", "b", "c"));
}

TEST(SplitCsvRecord, QuotedFieldsKeepCommasSpacesAndDoubledQuotes) {
  EXPECT_THAT(split(R"("a,b"," c ","say ""hi""")"), ElementsAre("a,b", " c ", "say \"hi\""));
  EXPECT_THAT(split(R"("",x)"), ElementsAre("", "x"));
  EXPECT_THAT(split(R"( "q" , r)"), ElementsAre("q", "r"));
}

TEST(SplitCsvRecord, AQuoteInsideAnUnquotedFieldIsRejected) {
  // RFC 4180: a field holding a quote is quoted and the quote doubled. Read as text, such a
  // quote hides the mistake that swallows the next line's record (see below).
  EXPECT_THAT(split_error(R"(ab"c,d)"), HasSubstr("bad quoting at column 3"));
}

TEST(SplitCsvRecord, AnUnterminatedQuoteIsRejected) {
  EXPECT_THAT(split_error(R"(a,"b,c)"), HasSubstr("a quoted field is still open"));
  EXPECT_THAT(split_error(R"("ab"")"), HasSubstr("still open"));
}

TEST(SplitCsvRecord, TextAfterAClosingQuoteIsRejectedWithItsColumn) {
  EXPECT_THAT(split_error(R"("ab"c,d)"), HasSubstr("bad quoting at column 5"));
}

// Collects what CsvRecords finds.
struct Collect final : CsvSink {
  std::vector<std::pair<size_t, Fields>> records;
  std::vector<std::pair<size_t, std::string>> problems;
  void record(size_t line, Fields& fields) override { records.emplace_back(line, fields); }
  std::vector<size_t> last_lines;
  void problem(size_t first, size_t last, std::string reason) override {
    problems.emplace_back(first, reason);
    last_lines.push_back(last);
  }

  std::vector<size_t> record_lines() const {
    std::vector<size_t> out;
    for (const auto& r : records) out.push_back(r.first);
    return out;
  }
  std::vector<size_t> problem_lines() const {
    std::vector<size_t> out;
    for (const auto& p : problems) out.push_back(p.first);
    return out;
  }
};

Collect feed(const std::string& text, size_t max_bytes = 1 << 20) {
  Collect c;
  CsvRecords records(c, max_bytes);
  std::istringstream in(text);
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) records.line(line, ++n);
  records.finish();
  return c;
}

TEST(CsvRecords, AQuotedFieldMaySpanLinesAndTheRecordIsAtItsFirstLine) {
  auto c = feed("a,\"one\ntwo\n\nthree\",b\nc,d\n");
  ASSERT_TRUE(c.problems.empty()) << c.problems[0].second;
  ASSERT_EQ(c.records.size(), 2u);
  EXPECT_EQ(c.records[0].first, 1u);
  EXPECT_THAT(c.records[0].second, ElementsAre("a", "one\ntwo\n\nthree", "b"));
  EXPECT_EQ(c.records[1].first, 5u);
  EXPECT_THAT(c.records[1].second, ElementsAre("c", "d"));
}

TEST(CsvRecords, BlankLinesBetweenRecordsAreSkipped) {
  auto c = feed("\n  \na\n\t\nb\n");
  EXPECT_THAT(c.record_lines(), ElementsAre(3u, 5u));
  EXPECT_TRUE(c.problems.empty());
}

TEST(CsvRecords, AStrayQuoteCostsOneRecordNotTheRestOfTheFile) {
  auto c = feed("1,\"http://a.example/1\n2,http://a.example/2\n3,http://a.example/3\n");
  EXPECT_THAT(c.problem_lines(), ElementsAre(1u));
  EXPECT_THAT(c.problems[0].second, HasSubstr("a quoted field is still open at the end"));
  EXPECT_THAT(c.last_lines, ElementsAre(3u));
  EXPECT_THAT(c.record_lines(), ElementsAre(2u, 3u));
  EXPECT_THAT(c.records[1].second, ElementsAre("3", "http://a.example/3"));
}

TEST(CsvRecords, BadQuotingOnALaterLineIsReportedAtTheRecordsFirstLine) {
  auto c = feed("a,\"b\nc\"d\ne,f\n");
  ASSERT_EQ(c.problems.size(), 2u);
  EXPECT_EQ(c.problems[0].first, 1u);
  EXPECT_THAT(c.problems[0].second, HasSubstr("bad quoting at line 2, column 3"));
  EXPECT_EQ(c.last_lines[0], 2u);
  EXPECT_EQ(c.problems[1].first, 2u);  // c"d read alone: a quote in an unquoted field
  EXPECT_THAT(c.record_lines(), ElementsAre(3u));
}

TEST(CsvRecords, ARecordLongerThanTheBoundIsRejectedAndReadingResumes) {
  std::string text = "x,\"open\n";
  for (int i = 0; i < 20; ++i) text += "line" + std::to_string(i) + ",y\n";
  auto c = feed(text, 64);
  ASSERT_FALSE(c.problems.empty());
  EXPECT_EQ(c.problems[0].first, 1u);
  EXPECT_THAT(c.problems[0].second, HasSubstr("the record is longer than 64 bytes by line"));
  // Every line after the first is a record of its own again.
  EXPECT_EQ(c.records.size(), 20u);
  EXPECT_EQ(c.records.front().first, 2u);
  EXPECT_EQ(c.records.back().first, 21u);
}

TEST(CsvRecords, ALineTooLongToKeepEndsTheRecordInProgress) {
  Collect c;
  CsvRecords records(c, 1 << 20);
  records.line("a,\"b", 1);
  records.skipped(2, 1 << 20);
  records.line("c,d", 3);
  records.finish();
  ASSERT_EQ(c.problems.size(), 1u);
  EXPECT_EQ(c.problems[0].first, 1u);
  EXPECT_THAT(c.problems[0].second, HasSubstr("runs into line 2, which is longer than 1048576"));
  EXPECT_THAT(c.record_lines(), ElementsAre(3u));
}

TEST(CsvRecords, ACarriageReturnInsideALineIsData) {
  auto c = feed("\"a\rb\",c\n");
  ASSERT_EQ(c.records.size(), 1u);
  EXPECT_THAT(c.records[0].second, ElementsAre("a\rb", "c"));
}

}  // namespace
}  // namespace sluice
