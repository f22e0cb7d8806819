// Format detection, format names, streaming a large input, and read errors.
#include "input/read_jobs.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <streambuf>

#include "read_helper.h"

namespace sluice::testing {
namespace {

using ::testing::ElementsAre;
using Format = InputOptions::Format;

TEST(DetectFormat, AnObjectOnTheFirstLineIsJsonl) {
  auto r = read("\n  {\"url\":\"http://a.example/1\"}\n{\"url\":\"http://a.example/2\"}\n");
  EXPECT_THAT(r.ids(), ElementsAre("http://a.example/1", "http://a.example/2"));
  EXPECT_TRUE(r.problems.empty());
}

TEST(DetectFormat, AHeaderNamingTheUrlFieldIsCsv) {
  InputOptions o;
  o.url_field = "image_url";
  o.id_field = "gtin";
  auto r = read("gtin,\"image_url\",name\n1,http://a.example/1,x\n", o);
  EXPECT_THAT(r.ids(), ElementsAre("1"));
  EXPECT_TRUE(r.problems.empty());
  r = read("url\nhttp://a.example/1\n");
  EXPECT_THAT(r.ids(), ElementsAre("http://a.example/1"));
}

TEST(DetectFormat, AnythingElseIsLines) {
  auto r = read("http://a.example/url\nhttp://a.example/2\n");
  EXPECT_THAT(r.ids(), ElementsAre("http://a.example/url", "http://a.example/2"));
  // A header without the URL field is not CSV: it reads as lines and is rejected.
  r = read("gtin,picture\n");
  EXPECT_THAT(r.problem_lines(), ElementsAre(1));
}

TEST(DetectFormat, AnExplicitFormatWins) {
  auto r = read("url\nhttp://a.example/1\n", with(Format::lines));
  EXPECT_THAT(r.problem_lines(), ElementsAre(1));  // "url" is not a URL
  EXPECT_THAT(r.ids(), ElementsAre("http://a.example/1"));
}

TEST(FormatNames, RoundTrip) {
  for (Format f : {Format::auto_detect, Format::jsonl, Format::csv, Format::lines}) {
    Format back = Format::csv;
    EXPECT_TRUE(parse_format(format_name(f), &back));
    EXPECT_EQ(back, f);
  }
  Format f = Format::csv;
  EXPECT_FALSE(parse_format("xml", &f));
  EXPECT_EQ(std::string(format_name(Format::auto_detect)), "auto");
}

TEST(InputProblem, MessageNamesSourceLineAndReasonCode) {
  InputProblem p{"products.jsonl", 17, Reason::bad_input, "missing field \"url\""};
  EXPECT_EQ(p.message(), "products.jsonl:17: bad_input: missing field \"url\"");
  InputProblem q{"a\nb", 1, Reason::bad_url, "x"};
  EXPECT_EQ(q.message(), "a\\x0ab:1: bad_url: x");
}

// Regression: a 100 MB line was read into memory whole (526 MB peak for enqueue) and
// echoed whole in its error.
TEST(LineBound, ALineOverTheDefaultBoundIsAProblemAndTheNextLinesAreRead) {
  std::string huge = "http://a.example/" + std::string(2u << 20, 'x') + ".jpg";
  auto r = read("http://a.example/1\n" + huge + "\nhttp://a.example/3\n", {}, "urls.txt");
  EXPECT_THAT(r.ids(), ElementsAre("http://a.example/1", "http://a.example/3"));
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].line, 2u);
  EXPECT_EQ(r.problems[0].reason,
            "line longer than 1048576 bytes (the rest of it was skipped; see --max-line-bytes)");
}

TEST(LineBound, TheBoundIsAnOption) {
  InputOptions o = with(Format::jsonl);
  o.max_line_bytes = 40;
  auto r = read(R"({"url":"http://a.example/1"})"
                "\n"
                R"({"url":"http://a.example/a-rather-long-path.jpg"})"
                "\n"
                R"({"url":"http://a.example/3"})",
                o);
  EXPECT_THAT(r.ids(), ElementsAre("http://a.example/1", "http://a.example/3"));
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].line, 2u);
  EXPECT_THAT(r.problems[0].reason, ::testing::StartsWith("line longer than 40 bytes"));
}

TEST(LineBound, AnOverLongFirstLineIsReportedAndTheFormatComesFromItsStart) {
  InputOptions o;
  o.max_line_bytes = 30;
  auto r = read(R"({"url":"http://a.example/a-rather-long-path.jpg"})"
                "\n"
                R"({"url":"http://a.example/2"})",
                o);
  EXPECT_THAT(r.problem_lines(), ElementsAre(1));
  EXPECT_THAT(r.ids(), ElementsAre("http://a.example/2"));
}

TEST(LineBound, AnOverLongCsvHeaderStops) {
  InputOptions o = with(Format::csv);
  o.max_line_bytes = 10;
  auto r = read("url,a-long-column-name\nhttp://a.example/1,x\n", o, "p.csv");
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.error().detail,
            "p.csv:1: the CSV header is longer than 10 bytes (see --max-line-bytes)");
}

TEST(EchoBound, AValueEchoedInAProblemIsCut) {
  std::string url = "http://a.example/" + std::string(10'000, 'x');
  auto r = read("http://a.example/1\nhttp:// " + url + "\n", with(Format::lines));
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_LT(r.problems[0].message().size(), 400u) << r.problems[0].message().size();
  EXPECT_THAT(r.problems[0].message(), ::testing::EndsWith("..."));
}

// Regression: host names no DNS could hold were accepted at enqueue.
TEST(HostNames, AbsurdHostNamesAreProblemsAtTheirLines) {
  std::string long_name = std::string(60, 'a') + "." + std::string(60, 'b') + "." +
                          std::string(60, 'c') + "." + std::string(60, 'd') + "." +
                          std::string(60, 'e');  // 304 bytes
  auto r = read(
      "http://ok.example/1\n"  // 1
      "http://" +
          long_name +
          "/2\n"  // 2
          "http://" +
          std::string(64, 'l') +
          ".example/3\n"                       // 3
          "http://a|b.example/4\n"             // 4
          "http://ok.example./5\n"             // 5: fully qualified
          "http://xn--bcher-kva.example/6\n",  // 6: punycode
      with(Format::lines));
  EXPECT_THAT(r.ids(), ElementsAre("http://ok.example/1", "http://ok.example./5",
                                   "http://xn--bcher-kva.example/6"));
  EXPECT_THAT(r.problem_lines(), ElementsAre(2, 3, 4));
  ASSERT_EQ(r.problems.size(), 3u);
  EXPECT_THAT(r.problems[0].reason, ::testing::HasSubstr("is 304 bytes, longer than 253"));
  EXPECT_THAT(r.problems[1].reason, ::testing::HasSubstr("a label of 64 bytes, longer than 63"));
  EXPECT_THAT(r.problems[2].reason, ::testing::HasSubstr("a character not allowed in a host name"));
}

// Generates JSONL lines on demand, so the input never exists in memory as a whole.
class GeneratedJsonl : public std::streambuf {
 public:
  explicit GeneratedJsonl(size_t lines) : lines_(lines) {}

 protected:
  int_type underflow() override {
    if (next_ >= lines_) return traits_type::eof();
    line_ = "{\"gtin\":" + std::to_string(4006381000000 + next_) +
            ",\"image_url\":\"https://img.example/p/" + std::to_string(next_) + ".jpg\"}\n";
    if (next_ % 1000 == 999) line_ = "{broken\n";  // one bad line in a thousand
    ++next_;
    setg(line_.data(), line_.data(), line_.data() + line_.size());
    return traits_type::to_int_type(line_[0]);
  }

 private:
  size_t lines_;
  size_t next_ = 0;
  std::string line_;
};

// A million lines; a tenth of that under AddressSanitizer, which is 30 times slower here.
#if defined(__SANITIZE_ADDRESS__)
constexpr size_t kStreamLines = 100'000;
#else
constexpr size_t kStreamLines = 1'000'000;
#endif

TEST(ReadJobs, StreamsAMillionLines) {
  constexpr size_t kLines = kStreamLines;
  GeneratedJsonl buf(kLines);
  std::istream in(&buf);
  InputOptions o;
  o.url_field = "image_url";
  o.id_field = "gtin";
  size_t jobs = 0, problems = 0, last_problem_line = 0;
  std::string last_id;
  auto t = std::chrono::steady_clock::now();
  Status s = read_jobs(
      in, "gen", o,
      [&](JobInput&& j) {
        ++jobs;
        last_id = j.id;
      },
      [&](const InputProblem& p) {
        ++problems;
        last_problem_line = p.line;
      });
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  std::printf("[ stream   ] %zu JSONL lines read in %.2f s\n", kLines, secs);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(jobs, kLines - kLines / 1000);
  EXPECT_EQ(problems, kLines / 1000);
  EXPECT_EQ(last_problem_line, kLines);
  EXPECT_EQ(last_id, std::to_string(4006381000000 + kLines - 2));
}

// A stream that fails after its first line.
class FailingBuf : public std::streambuf {
 protected:
  int_type underflow() override {
    if (served_) throw std::runtime_error("disk on fire");  // istream turns this into badbit
    served_ = true;
    setg(text_, text_, text_ + sizeof text_ - 1);
    return traits_type::to_int_type(text_[0]);
  }

 private:
  char text_[20] = "http://a.example/1\n";
  bool served_ = false;
};

TEST(ReadJobs, AReadErrorStopsWithAnIoError) {
  FailingBuf buf;
  std::istream in(&buf);
  size_t jobs = 0;
  Status s = read_jobs(
      in, "pipe", InputOptions{}, [&](JobInput&&) { ++jobs; }, [](const InputProblem&) {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().reason, Reason::io);
  EXPECT_EQ(s.error().detail, "pipe: read error after line 1");
  EXPECT_EQ(jobs, 1u);
}

}  // namespace
}  // namespace sluice::testing
