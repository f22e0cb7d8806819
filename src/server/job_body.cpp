#include "server/job_body.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "input/record_parser.h"

namespace sluice {
namespace {

using nlohmann::json;

// The body without a byte order mark and leading blanks; *skipped_lines counts the line
// breaks dropped, so line numbers still count from the body's first byte.
std::string_view skip_leading(std::string_view body, size_t* skipped_lines) {
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  size_t i = 0;
  while (i < body.size() &&
         (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n')) {
    if (body[i] == '\n') ++*skipped_lines;
    ++i;
  }
  return body.substr(i);
}

// "[json.exception.parse_error.101] parse error at line 3, column 5: x" -> "line 3, column
// 5: x"
std::string json_message(const json::exception& e) {
  std::string m = e.what();
  size_t at = m.find(" at ");
  if (at != std::string::npos) return m.substr(at + 4);
  at = m.find("] ");
  return at != std::string::npos ? m.substr(at + 2) : m;
}

// A problem as the API words it: a URL or host refused says so (the command line prints the
// reason code, bad_url, instead).
std::string problem_text(Reason code, const std::string& reason) {
  return code == Reason::bad_url ? "bad URL: " + reason : reason;
}

void read_array(const json& array, const InputOptions& options, JobBody* out) {
  size_t item = 0;
  RecordSink sink{[&](JobInput&& job) { out->jobs.push_back(std::move(job)); },
                  [&](size_t, const Error& e) {
                    out->problems.push_back(BodyProblem{0, item, problem_text(e.reason, e.detail)});
                  }};
  auto parser = make_jsonl_parser(options, sink);
  for (const json& element : array) {
    ++item;
    // The element's own text, read by the JSONL parser: one set of rules for both forms.
    Status s = parser->line(element.dump(-1, ' ', false, json::error_handler_t::replace), item);
    if (!s.ok()) out->problems.push_back(BodyProblem{0, item, s.error().detail});
  }
}

void read_jsonl(std::string_view text, size_t first_line, const InputOptions& jsonl, JobBody* out) {
  std::istringstream in{std::string(text)};
  Status s = read_jobs(
      in, "body", jsonl, [&](JobInput&& job) { out->jobs.push_back(std::move(job)); },
      [&](const InputProblem& p) {
        out->problems.push_back(
            BodyProblem{p.line + first_line, 0, problem_text(p.code, p.reason)});
      });
  if (!s.ok()) out->problems.push_back(BodyProblem{0, 0, s.error().detail});
}

}  // namespace

const char* form_name(JobBody::Form form) {
  switch (form) {
    case JobBody::Form::empty:
      return "empty";
    case JobBody::Form::object:
      return "object";
    case JobBody::Form::array:
      return "array";
    case JobBody::Form::jsonl:
      return "jsonl";
  }
  return "empty";
}

JobBody parse_job_body(std::string_view body, const InputOptions& options) {
  JobBody out;
  size_t skipped = 0;
  std::string_view text = skip_leading(body, &skipped);
  if (text.empty()) {
    out.problems.push_back(BodyProblem{0, 0,
                                       "empty body: expected a JSON object, an array of "
                                       "objects, or JSON lines"});
    return out;
  }
  InputOptions jsonl = options;
  jsonl.format = InputOptions::Format::jsonl;
  if (text.front() == '[') {
    out.form = JobBody::Form::array;
    try {
      json doc = json::parse(text);
      read_array(doc, jsonl, &out);
    } catch (const json::exception& e) {
      out.problems.push_back(BodyProblem{0, 0, "invalid JSON array: " + json_message(e)});
    }
    return out;
  }
  if (text.front() == '{') {
    json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_discarded()) {
      out.form = JobBody::Form::object;
      // One value: hand it to the JSONL parser as one line, on the line it starts.
      read_jsonl(doc.dump(-1, ' ', false, json::error_handler_t::replace), skipped, jsonl, &out);
      return out;
    }
  }
  out.form = JobBody::Form::jsonl;
  read_jsonl(text, skipped, jsonl, &out);
  return out;
}

}  // namespace sluice
