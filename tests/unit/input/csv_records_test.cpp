#include "input/csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sluice {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

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

TEST(SplitCsvRecord, AQuoteInsideAnUnquotedFieldIsText) {
  EXPECT_THAT(split(R"(ab"c,d)"), ElementsAre("ab\"c", "d"));
}

TEST(SplitCsvRecord, AnUnterminatedQuoteIsRejected) {
  EXPECT_THAT(split_error(R"(a,"b,c)"),
              HasSubstr("unterminated quoted field starting at column 3"));
  EXPECT_THAT(split_error(R"(a,"b,c)"), HasSubstr("spanning lines is not supported"));
  EXPECT_THAT(split_error(R"("ab"")"), HasSubstr("unterminated"));
}

TEST(SplitCsvRecord, TextAfterAClosingQuoteIsRejected) {
  EXPECT_THAT(split_error(R"("ab"c,d)"), HasSubstr("unexpected text after the closing quote"));
}

}  // namespace
}  // namespace sluice
