// CSV records (RFC 4180) from physical lines, by libcsv in strict mode: quoted fields may
// hold commas, doubled quotes ("") and line breaks; unquoted fields are trimmed of spaces
// and tabs and may not hold a quote. Lines are fed one at a time (read_jobs reads them, in
// bounded memory), so a record knows the line it starts on.
#pragma once

#include <csv.h>  // libcsv

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/error.h"

namespace sluice {

// What a CsvRecords hands its records and rejections to.
class CsvSink {
 public:
  virtual ~CsvSink() = default;
  // A whole record, starting on line `line`. fields may be moved from.
  virtual void record(size_t line, std::vector<std::string>& fields) = 0;
  // A record on lines first to last that cannot be read; reason says why and where. Lines
  // first + 1 to last are read again as records of their own after this call.
  virtual void problem(size_t first, size_t last, std::string reason) = 0;
};

// Assembles records from lines. A record that fails (bad quoting, a quote left open at the
// end of the input, more than max_record_bytes, a line of it too long to keep) is reported
// at its first line, and reading resumes at its second line, so that one stray quote costs
// one record, not the rest of the file. Memory is bounded by max_record_bytes (the lines
// of the record in progress are kept for that resumption). One thread; not copyable.
class CsvRecords {
 public:
  CsvRecords(CsvSink& sink, size_t max_record_bytes);
  ~CsvRecords();
  CsvRecords(const CsvRecords&) = delete;
  CsvRecords& operator=(const CsvRecords&) = delete;

  // One physical line, without its end-of-line characters.
  void line(std::string_view text, size_t number);
  // Line `number` was too long to keep: a record in progress is rejected.
  void skipped(size_t number, size_t max_line_bytes);
  // The end of the input: a record still open (a quote not closed) is rejected.
  void finish();

 private:
  struct Line {
    size_t number;
    std::string text;
  };
  static void on_field(void* data, size_t len, void* self);
  static void on_record(int terminator, void* self);

  void drain();
  void feed(Line line);
  // Reports the record in progress as a problem and queues its lines after the first to be
  // read again.
  void reject(std::string reason);
  void reset_parser();

  CsvSink& sink_;
  size_t max_record_bytes_;
  csv_parser parser_{};
  std::deque<Line> todo_;     // lines waiting to be fed (the lines of a rejected record)
  std::vector<Line> record_;  // the lines of the record in progress
  size_t record_bytes_ = 0;
  std::vector<std::string> fields_;  // of the record in progress
  bool ended_ = false;               // libcsv saw the end of a record
};

// Splits one line read alone into fields (out is cleared first). bad_input when the line
// is not one whole record: bad quoting, or a quote left open.
Status split_csv_record(std::string_view line, std::vector<std::string>* out);

}  // namespace sluice
