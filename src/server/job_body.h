// The body of POST /api/jobs read into jobs: one JSON object, a JSON array of objects, or
// JSONL (one object per line). Each record is validated and mapped exactly as `sluice
// enqueue` does for JSONL (input/read_jobs.h: --url-field, --id-field, integer ids, URL
// checks), so the API and the command accept the same records.
// Pure: no I/O, no queue. The caller enqueues only a body without problems.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "input/read_jobs.h"

namespace sluice {

struct BodyProblem {
  size_t line = 0;     // 1-based line of the body the record starts on (JSONL, one object)
  size_t item = 0;     // 1-based position in a JSON array; 0 when the body is not an array
  std::string reason;  // e.g. "missing field \"url\"", "invalid JSON: column 3: ..."
};

struct JobBody {
  enum class Form { empty, object, array, jsonl };
  Form form = Form::empty;
  std::vector<JobInput> jobs;         // the valid records, in body order
  std::vector<BodyProblem> problems;  // every rejected record, in body order
};

const char* form_name(JobBody::Form form);  // "empty", "object", "array", "jsonl"

// Leading blanks and a UTF-8 byte order mark are skipped. A body starting with '[' is an
// array (one problem if it is not valid JSON); one starting with '{' that is a single
// JSON value (pretty-printed or not) is one object; anything else is read as JSONL, line
// by line. An empty body is one problem.
JobBody parse_job_body(std::string_view body, const InputOptions& options);

}  // namespace sluice
