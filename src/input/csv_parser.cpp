// CSV with a header row naming the URL (and id) columns.
#include <algorithm>

#include "input/csv.h"
#include "input/line_reader.h"
#include "input/record_parser.h"

namespace sluice {
namespace {

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

Error problem(std::string reason) { return make_error(Reason::bad_input, std::move(reason)); }

class CsvParser final : public RecordParser {
 public:
  CsvParser(size_t columns, size_t url_col, std::optional<size_t> id_col, InputOptions options)
      : columns_(columns), url_col_(url_col), id_col_(id_col), options_(std::move(options)) {}

  Result<std::optional<JobInput>> parse(const std::string& line) override {
    if (is_blank(line)) return std::optional<JobInput>();
    if (Status s = split_csv_record(line, &fields_); !s.ok()) return s.error();
    if (fields_.size() != columns_) {
      return problem("expected " + std::to_string(columns_) + " fields as in the header, found " +
                     std::to_string(fields_.size()));
    }
    std::string& url = fields_[url_col_];
    if (url.empty()) return problem("empty URL in column " + in_quotes(options_.url_field));
    std::optional<std::string> id;
    if (id_col_) {
      if (fields_[*id_col_].empty())
        return problem("empty id in column " + in_quotes(options_.id_field));
      id = fields_[*id_col_];  // a copy: the id column may be the URL column
    }
    auto job = make_job(std::move(url), std::move(id));
    if (!job.ok()) return job.error();
    return std::optional<JobInput>(std::move(*job));
  }

 private:
  size_t columns_;
  size_t url_col_;
  std::optional<size_t> id_col_;
  InputOptions options_;
  std::vector<std::string> fields_;  // reused for every line
};

std::optional<size_t> column_of(const std::vector<std::string>& header, const std::string& name) {
  auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) return std::nullopt;
  return static_cast<size_t>(it - header.begin());
}

std::string column_list(const std::vector<std::string>& header) {
  std::string out;
  for (const auto& h : header) out += (out.empty() ? "" : ", ") + in_quotes(h);
  return out;
}

}  // namespace

bool looks_like_csv_header(std::string_view line, const std::string& url_field) {
  std::vector<std::string> cells;
  if (!split_csv_record(line, &cells).ok()) return false;
  return column_of(cells, url_field).has_value();
}

Result<std::unique_ptr<RecordParser>> make_csv_parser(const InputOptions& options,
                                                      std::string_view header_line) {
  std::vector<std::string> header;
  if (Status s = split_csv_record(header_line, &header); !s.ok()) {
    return problem("bad CSV header: " + s.error().detail);
  }
  auto url_col = column_of(header, options.url_field);
  if (!url_col) {
    return problem("the CSV header has no column " + in_quotes(options.url_field) +
                   " (columns: " + column_list(header) + "); see --url-field");
  }
  std::optional<size_t> id_col;
  if (!options.id_field.empty()) {
    id_col = column_of(header, options.id_field);
    if (!id_col) {
      return problem("the CSV header has no column " + in_quotes(options.id_field) +
                     " (columns: " + column_list(header) + "); see --id-field");
    }
  }
  return std::unique_ptr<RecordParser>(
      std::make_unique<CsvParser>(header.size(), *url_col, id_col, options));
}

}  // namespace sluice
