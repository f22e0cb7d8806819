// Physical lines from a stream, one at a time, in bounded memory: strips a trailing CR
// (CRLF files) and a UTF-8 byte order mark at the start of the stream, counts lines from
// 1, and never holds more than max_bytes of a line: the rest of an over-long line is read
// and dropped, and the line is flagged.
#pragma once

#include <cstddef>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

class LineReader {
 public:
  // max_bytes: the longest line kept (without its end-of-line characters), at least 1.
  LineReader(std::istream& in, size_t max_bytes);

  // The next line without its end-of-line characters; false at the end of the stream or on
  // a read error (see failed()). When the line was longer than max_bytes, *line holds its
  // first max_bytes bytes and too_long() is true until the next call.
  bool next(std::string* line);
  size_t line_number() const { return line_number_; }  // of the line last returned
  bool too_long() const { return too_long_; }          // the line last returned was cut
  bool failed() const { return in_.bad(); }            // a read error, not the end
  size_t max_bytes() const { return max_bytes_; }

 private:
  std::istream& in_;
  size_t max_bytes_;
  size_t line_number_ = 0;
  bool too_long_ = false;
  std::vector<char> chunk_;  // what istream::getline reads into, a piece at a time
};

// True when the line holds only spaces and tabs.
bool is_blank(std::string_view line);
// The line without leading and trailing spaces and tabs.
std::string_view trim(std::string_view s);

}  // namespace sluice
