// Physical lines from a stream, one at a time: strips a trailing CR (CRLF files) and a
// UTF-8 byte order mark at the start of the stream, and counts lines from 1.
#pragma once

#include <cstddef>
#include <istream>
#include <string>
#include <string_view>

namespace sluice {

class LineReader {
 public:
  explicit LineReader(std::istream& in) : in_(in) {}

  // The next line without its end-of-line characters; false at the end of the stream.
  bool next(std::string* line);
  size_t line_number() const { return line_number_; }  // of the line last returned
  bool failed() const { return in_.bad(); }            // a read error, not the end

 private:
  std::istream& in_;
  size_t line_number_ = 0;
};

// True when the line holds only spaces and tabs.
bool is_blank(std::string_view line);
// The line without leading and trailing spaces and tabs.
std::string_view trim(std::string_view s);

}  // namespace sluice
