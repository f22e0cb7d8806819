// Reads jobs from a partner's dump: JSONL, CSV with a header row, or one URL per line
// (design.md "Input"). Streams line by line, so a file of any length is read in constant
// memory. A malformed line is reported as an InputProblem with its line number and
// parsing goes on with the next line: nothing valid is lost.
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
    csv,          // RFC 4180, comma separated, first non-blank line is the header
    lines,        // one URL per line; blank lines and lines starting with '#' skipped
  };
  Format format = Format::auto_detect;
  std::string url_field = "url";  // JSON field or CSV column holding the URL
  std::string id_field;           // JSON field or CSV column holding the id; empty: id = URL
                                  // (the lines format has no id: the URL is always the id)
};

// "auto", "jsonl", "csv", "lines".
const char* format_name(InputOptions::Format format);
bool parse_format(std::string_view name, InputOptions::Format* out);

// A rejected line.
struct InputProblem {
  std::string source;  // the name given to read_jobs, e.g. "products.jsonl" or "stdin"
  size_t line = 0;     // 1-based physical line number
  std::string reason;  // e.g. "missing field \"url\""

  std::string message() const;  // "products.jsonl:17: missing field \"url\""
};

// Calls on_job for every valid line (URL checked with parse_url, host_key filled) and
// on_problem for every rejected one. CRLF line endings and a UTF-8 byte order mark are
// accepted. CSV fields may be quoted ("a, b", doubled "" for a quote) but a quoted field
// may not span lines: such a record is rejected as a problem. Unquoted CSV fields are
// trimmed of spaces and tabs. For JSONL, an id given as a JSON integer (a GTIN, say) is
// taken as its decimal text.
// Errors (parsing stops): io when the stream fails; bad_input when a CSV header lacks
// the URL or id column.
Status read_jobs(std::istream& in, const std::string& source_name, const InputOptions& options,
                 const std::function<void(JobInput&&)>& on_job,
                 const std::function<void(const InputProblem&)>& on_problem);

}  // namespace sluice
