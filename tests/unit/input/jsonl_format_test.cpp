// One JSON object per line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "read_helper.h"

namespace sluice::testing {
// Named, not anonymous: the sanitizer builds compile test files together (unity build).
namespace jsonl_format_test {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Format = InputOptions::Format;

const InputOptions kGtin = with(Format::jsonl, "image_url", "gtin");

TEST(JsonlFormat, ReadsTheNamedFields) {
  auto r = read(R"({"gtin":"04006381333931","image_url":"https://img.example/a.jpg","x":1})"
                "\n",
                kGtin);
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.jobs.size(), 1u);
  EXPECT_EQ(r.jobs[0].id, "04006381333931");
  EXPECT_EQ(r.jobs[0].url, "https://img.example/a.jpg");
  EXPECT_EQ(r.jobs[0].host_key, "img.example:443");
}

TEST(JsonlFormat, WithoutAnIdFieldTheUrlIsTheId) {
  auto r = read(R"({"url":"http://a.example/1"})", with(Format::jsonl));
  EXPECT_THAT(r.ids(), ElementsAre("http://a.example/1"));
}

// Regression: records with an "id" field were keyed by their URL unless --id-field id was
// given, which gave object keys like http%3A%2F%2F...jpg.jpg.
TEST(JsonlFormat, AnIdFieldIsUsedWhenNoIdFieldIsNamed) {
  auto r = read(R"({"id":"A1","url":"http://a.example/1"})"
                "\n"
                R"({"id":42,"url":"http://a.example/2"})"
                "\n"
                R"({"url":"http://a.example/3"})"  // no id: the URL is the id
                "\n",
                with(Format::jsonl));
  EXPECT_THAT(r.ids(), ElementsAre("A1", "42", "http://a.example/3"));
  EXPECT_TRUE(r.problems.empty());
}

TEST(JsonlFormat, ADefaultIdThatCannotServeIsAProblemThatSaysWhereTheIdCameFrom) {
  auto r = read(R"({"id":null,"url":"http://a.example/1"})", with(Format::jsonl));
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_THAT(r.problems[0].reason, StartsWith("field \"id\" is null, not a string or an integer"));
  EXPECT_THAT(r.problems[0].reason, HasSubstr("--id-field names another field"));
}

TEST(JsonlFormat, NamingTheUrlFieldAsTheIdKeysJobsByUrl) {
  auto r = read(R"({"id":"A1","url":"http://a.example/1"})", with(Format::jsonl, "url", "url"));
  EXPECT_THAT(r.ids(), ElementsAre("http://a.example/1"));
}

TEST(JsonlFormat, IntegerIdsAreTakenAsTheirText) {
  auto r = read(R"({"gtin":4006381333931,"image_url":"http://a.example/1"})"
                "\n"
                R"({"gtin":18446744073709551615,"image_url":"http://a.example/2"})"
                "\n"
                R"({"gtin":-7,"image_url":"http://a.example/3"})",
                kGtin);
  EXPECT_THAT(r.ids(), ElementsAre("4006381333931", "18446744073709551615", "-7"));
  EXPECT_TRUE(r.problems.empty());
}

TEST(JsonlFormat, EveryProblemHasItsLineAndASpecificReason) {
  const std::string text = R"({"gtin":"1","image_url":"http://a.example/1"})"  // 1 ok
                           "\n"
                           R"({"gtin":"2","image_url":"http://a.example/2")"  // 2 bad JSON
                           "\n"
                           R"(["not","an","object"])"  // 3
                           "\n"
                           R"({"gtin":"4"})"  // 4 no url
                           "\n"
                           R"({"gtin":"5","image_url":55})"  // 5 url not a string
                           "\n"
                           R"({"image_url":"http://a.example/6"})"  // 6 no id
                           "\n"
                           R"({"gtin":"","image_url":"http://a.example/7"})"  // 7 empty id
                           "\n"
                           R"({"gtin":1.5,"image_url":"http://a.example/8"})"  // 8 fractional id
                           "\n"
                           R"({"gtin":true,"image_url":"http://a.example/9"})"  // 9 boolean id
                           "\n"
                           R"({"gtin":"10","image_url":"gopher://a.example/10"})"  // 10 bad URL
                           "\n"
                           R"({"gtin":"11","image_url":""})"  // 11 empty URL
                           "\n"
                           "\n"                                 // 12 blank: skipped
                           R"({"gtin":"13","image_url":null})"  // 13 null url
                           "\n"
                           R"({"gtin":"14","image_url":"http://a.example/14"})"  // 14 ok
                           "\n";
  auto r = read(text, kGtin, "products.jsonl");
  ASSERT_TRUE(r.status.ok());
  EXPECT_THAT(r.ids(), ElementsAre("1", "14"));
  EXPECT_THAT(r.problem_lines(), ElementsAre(2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13));
  auto reason = [&](size_t line) {
    for (const auto& p : r.problems) {
      if (p.line == line) return p.reason;
    }
    return std::string("(none)");
  };
  EXPECT_THAT(reason(2), StartsWith("invalid JSON: column "));
  EXPECT_EQ(reason(3), "expected a JSON object, found an array");
  EXPECT_EQ(reason(4), "missing field \"image_url\"");
  EXPECT_EQ(reason(5), "field \"image_url\" is a number, not a string");
  EXPECT_EQ(reason(6), "missing field \"gtin\"");
  EXPECT_EQ(reason(7), "empty id in field \"gtin\"");
  EXPECT_THAT(reason(8), HasSubstr("field \"gtin\" is a number with a fraction or exponent"));
  EXPECT_EQ(reason(9), "field \"gtin\" is a boolean, not a string or an integer");
  EXPECT_THAT(reason(10), HasSubstr("scheme 'gopher' is not http or https"));
  EXPECT_EQ(reason(11), "empty URL in field \"image_url\"");
  EXPECT_EQ(reason(13), "field \"image_url\" is null, not a string");
  EXPECT_THAT(r.problems[0].message(), StartsWith("products.jsonl:2: bad_input: invalid JSON"));
  EXPECT_EQ(r.problems[8].code, Reason::bad_url);  // line 10
}

TEST(JsonlFormat, NonUtf8TextIsInvalidJson) {
  auto r = read("{\"url\":\"http://a.example/\xff\"}\n", with(Format::jsonl));
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_THAT(r.problems[0].reason, StartsWith("invalid JSON: "));
}

TEST(JsonlFormat, AcceptsCrlfAndAByteOrderMark) {
  auto r =
      read("\xEF\xBB\xBF{\"url\":\"http://a.example/1\"}\r\n{\"url\":\"http://a.example/2\"}\r\n");
  EXPECT_THAT(r.ids(), ElementsAre("http://a.example/1", "http://a.example/2"));
  EXPECT_TRUE(r.problems.empty());
}

}  // namespace jsonl_format_test
}  // namespace sluice::testing
