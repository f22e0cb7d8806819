#include "input/csv_records.h"

#include "input/line_reader.h"

namespace sluice {
namespace {

// Records end at a newline only: read_jobs strips the CR of a CRLF line end, and a CR
// inside a line is data.
int is_newline(unsigned char c) { return c == '\n'; }

constexpr size_t kParserBlockBytes = 4096;  // libcsv grows a field's buffer by this much

const char* kQuotingRule =
    "a field holding a quote must be quoted, each inner quote doubled (\"27\"\" screen\"), "
    "and only a comma may follow the closing quote";

}  // namespace

CsvRecords::CsvRecords(CsvSink& sink, size_t max_record_bytes)
    : sink_(sink), max_record_bytes_(max_record_bytes) {
  reset_parser();
}

CsvRecords::~CsvRecords() { csv_free(&parser_); }

void CsvRecords::reset_parser() {
  csv_free(&parser_);  // a no-op on the zeroed parser of the constructor
  csv_init(&parser_, CSV_STRICT);
  csv_set_term_func(&parser_, is_newline);
  csv_set_blk_size(&parser_, kParserBlockBytes);
  fields_.clear();
  ended_ = false;
}

void CsvRecords::on_field(void* data, size_t len, void* self) {
  static_cast<CsvRecords*>(self)->fields_.emplace_back(static_cast<const char*>(data), len);
}

void CsvRecords::on_record(int, void* self) { static_cast<CsvRecords*>(self)->ended_ = true; }

void CsvRecords::line(std::string_view text, size_t number) {
  todo_.push_back(Line{number, std::string(text)});
  drain();
}

void CsvRecords::skipped(size_t number, size_t max_line_bytes) {
  if (record_.empty()) return;
  reject("the record runs into line " + std::to_string(number) + ", which is longer than " +
         std::to_string(max_line_bytes) + " bytes");
  drain();
}

void CsvRecords::finish() {
  while (!record_.empty()) {
    reject("a quoted field is still open at the end of the input (is a quote left open?)");
    drain();
  }
}

void CsvRecords::drain() {
  while (!todo_.empty()) {
    Line next = std::move(todo_.front());
    todo_.pop_front();
    feed(std::move(next));
  }
}

void CsvRecords::feed(Line line) {
  if (record_.empty() && is_blank(line.text)) return;  // between records
  if (!record_.empty() && record_bytes_ + line.text.size() + 1 > max_record_bytes_) {
    std::string reason = "the record is longer than " + std::to_string(max_record_bytes_) +
                         " bytes by line " + std::to_string(line.number) +
                         " (is a quote left open?)";
    todo_.push_front(std::move(line));
    reject(std::move(reason));
    return;
  }
  record_bytes_ += line.text.size() + 1;
  record_.push_back(std::move(line));
  const Line& cur = record_.back();
  ended_ = false;
  size_t done = csv_parse(&parser_, cur.text.data(), cur.text.size(), on_field, on_record, this);
  if (done == cur.text.size()) done += csv_parse(&parser_, "\n", 1, on_field, on_record, this);
  if (done != cur.text.size() + 1) {
    int error = csv_error(&parser_);
    if (error != CSV_EPARSE) {
      reject(std::string("CSV parser: ") + csv_strerror(error));
      return;
    }
    std::string column = "column " + std::to_string(done + 1);
    if (cur.number == record_.front().number) {
      reject("bad quoting at " + column + ": " + kQuotingRule);
    } else {
      reject("bad quoting at line " + std::to_string(cur.number) + ", " + column +
             ", in a record that runs on from this line inside quotes (is a quote left open?): " +
             kQuotingRule);
    }
    return;
  }
  if (!ended_) return;  // inside a quoted field: the record goes on on the next line
  size_t first = record_.front().number;
  record_.clear();
  record_bytes_ = 0;
  ended_ = false;
  sink_.record(first, fields_);
  fields_.clear();
}

void CsvRecords::reject(std::string reason) {
  size_t first = record_.front().number;
  size_t last = record_.back().number;
  // The record's lines after its first are read again, ahead of anything queued.
  for (size_t i = record_.size(); i-- > 1;) todo_.push_front(std::move(record_[i]));
  record_.clear();
  record_bytes_ = 0;
  reset_parser();
  sink_.problem(first, last, std::move(reason));
}

Status split_csv_record(std::string_view line, std::vector<std::string>* out) {
  struct One final : CsvSink {
    std::vector<std::string>* out;
    std::string problem_reason;
    size_t records = 0;
    void record(size_t, std::vector<std::string>& fields) override {
      if (records++ == 0) *out = std::move(fields);
    }
    void problem(size_t, size_t, std::string reason) override {
      if (problem_reason.empty()) problem_reason = std::move(reason);
    }
  } one;
  one.out = out;
  out->clear();
  CsvRecords records(one, line.size() + 1);
  records.line(line, 1);
  records.finish();
  if (!one.problem_reason.empty()) return make_error(Reason::bad_input, one.problem_reason);
  if (one.records == 0) out->push_back("");  // a blank line: one empty field
  return Status();
}

}  // namespace sluice
