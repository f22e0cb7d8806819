#include "server/job_body.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

InputOptions fields(std::string url = "url", std::string id = "") {
  InputOptions o;
  o.url_field = std::move(url);
  o.id_field = std::move(id);
  return o;
}

TEST(JobBodyTest, OneObject) {
  JobBody b = parse_job_body(R"({"url": "http://img.test/a.jpg"})", fields());
  EXPECT_EQ(b.form, JobBody::Form::object);
  ASSERT_TRUE(b.problems.empty());
  ASSERT_EQ(b.jobs.size(), 1u);
  EXPECT_EQ(b.jobs[0].id, "http://img.test/a.jpg");
  EXPECT_EQ(b.jobs[0].host_key, "img.test:80");
}

TEST(JobBodyTest, PrettyPrintedObjectIsOneRecord) {
  JobBody b = parse_job_body(
      "\n{\n  \"image_url\": \"https://img.test/b.png\",\n  \"gtin\": "
      "4006381333931\n}\n",
      fields("image_url", "gtin"));
  EXPECT_EQ(b.form, JobBody::Form::object);
  ASSERT_TRUE(b.problems.empty()) << b.problems[0].reason;
  ASSERT_EQ(b.jobs.size(), 1u);
  EXPECT_EQ(b.jobs[0].id, "4006381333931");  // integer ids as digits, as enqueue does
  EXPECT_EQ(b.jobs[0].host_key, "img.test:443");
}

TEST(JobBodyTest, ArrayWithProblemsByItem) {
  JobBody b = parse_job_body(
      R"([{"url": "http://img.test/1.jpg"}, {"link": "x"}, "http://img.test/3.jpg",
          {"url": "ftp://img.test/4.jpg"}, {"url": "http://img.test/5.jpg"}])",
      fields());
  EXPECT_EQ(b.form, JobBody::Form::array);
  EXPECT_EQ(b.jobs.size(), 2u);
  ASSERT_EQ(b.problems.size(), 3u);
  EXPECT_EQ(b.problems[0].item, 2u);
  EXPECT_EQ(b.problems[0].reason, "missing field \"url\"");
  EXPECT_EQ(b.problems[1].item, 3u);
  EXPECT_NE(b.problems[1].reason.find("expected a JSON object"), std::string::npos);
  EXPECT_EQ(b.problems[2].item, 4u);
  EXPECT_NE(b.problems[2].reason.find("bad URL"), std::string::npos) << b.problems[2].reason;
}

TEST(JobBodyTest, JsonlWithProblemsByLine) {
  std::string body =
      "{\"url\": \"http://img.test/1.jpg\", \"id\": \"a\"}\r\n"
      "\n"
      "{\"url\": \"http://img.test/3.jpg\", \"id\": \"b\"}\n"
      "{\"url\": \"http://img.test/4.jpg\" \"id\": \"c\"}\n"
      "{\"url\": 5, \"id\": \"d\"}\n"
      "{\"url\": \"http://img.test/6.jpg\", \"id\": \"e\"}";
  JobBody b = parse_job_body(body, fields("url", "id"));
  EXPECT_EQ(b.form, JobBody::Form::jsonl);
  ASSERT_EQ(b.jobs.size(), 3u);
  EXPECT_EQ(b.jobs[2].id, "e");
  ASSERT_EQ(b.problems.size(), 2u);
  EXPECT_EQ(b.problems[0].line, 4u);
  EXPECT_EQ(b.problems[0].item, 0u);
  EXPECT_NE(b.problems[0].reason.find("invalid JSON"), std::string::npos);
  EXPECT_EQ(b.problems[1].line, 5u);
  EXPECT_EQ(b.problems[1].reason, "field \"url\" is a number, not a string");
}

TEST(JobBodyTest, LineNumbersCountLeadingBlankLines) {
  JobBody b = parse_job_body("\n\n{\"url\": \"http://img.test/1.jpg\"}\n{\"nope\": 1}\n", fields());
  ASSERT_EQ(b.problems.size(), 1u);
  EXPECT_EQ(b.problems[0].line, 4u);
}

TEST(JobBodyTest, EmptyAndBrokenBodies) {
  for (const char* body : {"", "  \n\t", "\xEF\xBB\xBF"}) {
    JobBody b = parse_job_body(body, fields());
    EXPECT_EQ(b.form, JobBody::Form::empty);
    ASSERT_EQ(b.problems.size(), 1u);
    EXPECT_NE(b.problems[0].reason.find("empty body"), std::string::npos);
  }
  JobBody arr = parse_job_body("[{\"url\": \"http://img.test/1.jpg\"},", fields());
  EXPECT_EQ(arr.form, JobBody::Form::array);
  EXPECT_TRUE(arr.jobs.empty());
  ASSERT_EQ(arr.problems.size(), 1u);
  EXPECT_NE(arr.problems[0].reason.find("invalid JSON array"), std::string::npos);
  JobBody text = parse_job_body("http://img.test/1.jpg\n", fields());
  EXPECT_EQ(text.form, JobBody::Form::jsonl);
  ASSERT_EQ(text.problems.size(), 1u);
  EXPECT_EQ(text.problems[0].line, 1u);
}

TEST(JobBodyTest, EmptyArrayIsNoJobsAndNoProblem) {
  JobBody b = parse_job_body("[]", fields());
  EXPECT_EQ(b.form, JobBody::Form::array);
  EXPECT_TRUE(b.jobs.empty());
  EXPECT_TRUE(b.problems.empty());
}

}  // namespace
}  // namespace sluice
