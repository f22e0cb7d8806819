// Reads jobs from a partner's dump: JSONL, CSV with a header row, or one URL per line
// (design.md "Input"). Streams line by line in bounded memory: no line longer than
// InputOptions::max_line_bytes is ever held whole, so a file of any length and any line
// length is read in constant memory. A malformed record is reported as an InputProblem
// with its line number and parsing goes on with the next one: nothing valid is lost.
#pragma once

#include <cstddef>
#include <functional>
#include <istream>
#include <string>
#include <string_view>

#include "queue/queue.h"  // JobInput (header only: this module does not link the queue)
#include "util/error.h"

namespace sluice {

struct InputOptions {
  enum class Format {
    auto_detect,  // from the first non-blank line: '{' -> jsonl; a cell equal to url_field
                  // in it read as CSV -> csv; otherwise lines
    jsonl,        // one JSON object per line
    csv,          // RFC 4180, comma separated, first non-blank record is the header
    lines,        // one URL per line; blank lines and lines starting with '#' skipped
  };
  // The id field used when id_field is empty, if a record (JSONL) or the header (CSV) has it.
  static constexpr const char* kDefaultIdField = "id";
  static constexpr size_t kDefaultMaxLineBytes = size_t{1} << 20;  // 1 MiB

  Format format = Format::auto_detect;
  std::string url_field = "url";  // JSON field or CSV column holding the URL
  // JSON field or CSV column holding the id. Empty: the "id" field of a JSONL record that
  // has one (else the URL), the "id" column of a CSV header that has one (else the URL).
  // Named: every record must have it. Naming the URL's field keys jobs by URL. The lines
  // format has no id: the URL is always the id.
  std::string id_field;
  // The longest line read; a longer one is a problem ("line longer than N bytes") and the
  // rest of it is skipped unread into memory. A CSV record spanning lines is bounded by it
  // as a whole.
  size_t max_line_bytes = kDefaultMaxLineBytes;
};

// "auto", "jsonl", "csv", "lines".
const char* format_name(InputOptions::Format format);
bool parse_format(std::string_view name, InputOptions::Format* out);

// A rejected record.
struct InputProblem {
  std::string source;               // the name given to read_jobs, e.g. "products.jsonl"
  size_t line = 0;                  // 1-based physical line number (a CSV record's first)
  Reason code = Reason::bad_input;  // bad_url for a URL or host refused, else bad_input
  std::string reason;               // e.g. "missing field \"url\""; echoed values bounded

  // "products.jsonl:17: bad_input: missing field \"url\"" (source bounded by printable).
  std::string message() const;
};

// Calls on_job for every valid record (URL checked with parse_url and check_host_name,
// host_key filled) and on_problem for every rejected one, in input order, from the calling
// thread. CRLF line endings and a UTF-8 byte order mark are accepted. CSV is RFC 4180
// (libcsv, strict): quoted fields may hold commas, doubled quotes and line breaks; unquoted
// fields are trimmed of spaces and tabs and may not hold a quote. A rejected CSV record is
// reported at its first line and reading resumes at its second line, so one stray quote
// costs one record. For JSONL, an id given as a JSON integer (a GTIN, say)
// is taken as its decimal text.
// Errors (reading stops): io when the stream fails; bad_input when a CSV header lacks the
// URL column (or a named id column) or cannot be read.
Status read_jobs(std::istream& in, const std::string& source_name, const InputOptions& options,
                 const std::function<void(JobInput&&)>& on_job,
                 const std::function<void(const InputProblem&)>& on_problem);

}  // namespace sluice
