// CSV with a header row naming the URL (and id) columns; records come from CsvRecords.
#include <algorithm>

#include "input/csv_records.h"
#include "input/record_parser.h"
#include "util/text.h"

namespace sluice {
namespace {

Error bad_input(std::string reason) { return make_error(Reason::bad_input, std::move(reason)); }

std::optional<size_t> column_of(const std::vector<std::string>& header, const std::string& name) {
  auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) return std::nullopt;
  return static_cast<size_t>(it - header.begin());
}

// The header's columns for a message, at most 20 of them.
std::string column_list(const std::vector<std::string>& header) {
  constexpr size_t kShown = 20;
  std::string out;
  for (size_t i = 0; i < header.size() && i < kShown; ++i) {
    out += (out.empty() ? "" : ", ") + in_quotes(header[i]);
  }
  if (header.size() > kShown) out += ", ... (" + std::to_string(header.size()) + " in all)";
  return out;
}

class CsvParser final : public RecordParser, private CsvSink {
 public:
  CsvParser(const InputOptions& options, const RecordSink& sink)
      : options_(options), sink_(sink), records_(*this, options.max_line_bytes) {}

  Status line(std::string_view text, size_t number) override {
    if (fatal_.ok()) records_.line(text, number);
    return fatal_;
  }

  Status skipped(size_t number) override {
    if (!fatal_.ok()) return fatal_;
    records_.skipped(number, options_.max_line_bytes);
    if (fatal_.ok() && !header_read_) {
      fatal_ = bad_input(std::to_string(number) + ": the CSV header is longer than " +
                         std::to_string(options_.max_line_bytes) + " bytes (see --max-line-bytes)");
    }
    return fatal_;
  }

  Status finish() override {
    if (fatal_.ok()) records_.finish();
    return fatal_;
  }

 private:
  void record(size_t line, std::vector<std::string>& fields) override {
    if (!fatal_.ok()) return;
    if (!header_read_) {
      fatal_ = read_header(line, fields);
      return;
    }
    auto job = make_record_job(fields);
    if (!job.ok()) {
      sink_.problem(line, job.error());
    } else {
      sink_.job(std::move(*job));
    }
  }

  void problem(size_t first, size_t last, std::string reason) override {
    if (!fatal_.ok()) return;
    if (!header_read_) {
      fatal_ = problem_at(first, "bad CSV header: " + reason);
      return;
    }
    if (last == first + 1) {
      reason += "; line " + std::to_string(last) + " is read again as a record of its own";
    } else if (last > first + 1) {
      reason += "; lines " + std::to_string(first + 1) + " to " + std::to_string(last) +
                " are read again as records of their own";
    }
    sink_.problem(first, make_error(Reason::bad_input, std::move(reason)));
  }

  static Error problem_at(size_t line, const std::string& reason) {
    return bad_input(std::to_string(line) + ": " + reason);
  }

  Status read_header(size_t line, const std::vector<std::string>& header) {
    header_read_ = true;
    columns_ = header.size();
    auto url = column_of(header, options_.url_field);
    if (!url) {
      return problem_at(line, "the CSV header has no column " + in_quotes(options_.url_field) +
                                  " (columns: " + column_list(header) + "); see --url-field");
    }
    url_col_ = *url;
    if (options_.id_field.empty()) {
      id_col_ = column_of(header, InputOptions::kDefaultIdField);  // used when there is one
    } else {
      id_col_ = column_of(header, options_.id_field);
      if (!id_col_) {
        return problem_at(line, "the CSV header has no column " + in_quotes(options_.id_field) +
                                    " (columns: " + column_list(header) + "); see --id-field");
      }
    }
    return Status();
  }

  Result<JobInput> make_record_job(std::vector<std::string>& fields) const {
    if (fields.size() != columns_) {
      return bad_input("expected " + std::to_string(columns_) + " fields as in the header, found " +
                       std::to_string(fields.size()));
    }
    std::string& url = fields[url_col_];
    if (url.empty()) return bad_input("empty URL in column " + in_quotes(options_.url_field));
    std::optional<std::string> id;
    if (id_col_) {
      const std::string& name =
          options_.id_field.empty() ? InputOptions::kDefaultIdField : options_.id_field;
      if (fields[*id_col_].empty()) {
        return bad_input("empty id in column " + in_quotes(name) +
                         (options_.id_field.empty()
                              ? " (ids come from the \"id\" column when the header has one; "
                                "--id-field names another column, or the URL's column to key "
                                "jobs by URL)"
                              : ""));
      }
      id = fields[*id_col_];  // a copy: the id column may be the URL column
    }
    return make_job(std::move(url), std::move(id));
  }

  InputOptions options_;
  const RecordSink& sink_;
  CsvRecords records_;
  Status fatal_;  // a header that cannot serve: the reading stops
  bool header_read_ = false;
  size_t columns_ = 0;
  size_t url_col_ = 0;
  std::optional<size_t> id_col_;
};

}  // namespace

bool looks_like_csv_header(std::string_view line, const std::string& url_field) {
  std::vector<std::string> cells;
  if (!split_csv_record(line, &cells).ok()) return false;
  return column_of(cells, url_field).has_value();
}

std::unique_ptr<RecordParser> make_csv_parser(const InputOptions& options, const RecordSink& sink) {
  return std::make_unique<CsvParser>(options, sink);
}

}  // namespace sluice
