#include "input/line_reader.h"

#include <algorithm>
#include <string_view>

namespace sluice {
namespace {

constexpr size_t kChunkBytes = 64 * 1024;

}  // namespace

LineReader::LineReader(std::istream& in, size_t max_bytes)
    : in_(in), max_bytes_(std::max<size_t>(max_bytes, 1)), chunk_(kChunkBytes) {}

bool LineReader::next(std::string* line) {
  line->clear();
  too_long_ = false;
  // Keeps one byte past the bound, so a line of max_bytes + "\r" is not taken for too long;
  // past that, bytes are read and dropped.
  const size_t keep = max_bytes_ + 1;
  bool any = false;
  bool dropped = false;
  for (;;) {
    in_.getline(chunk_.data(), static_cast<std::streamsize>(chunk_.size()));
    if (in_.bad()) return false;
    auto n = static_cast<size_t>(in_.gcount());
    // Three ways getline stops: at a newline (read and counted in n, not stored), at the
    // end of the stream, or with the chunk full (failbit without eofbit): the line goes on.
    bool newline = !in_.fail() && !in_.eof();
    size_t text = newline ? n - 1 : n;
    if (n > 0) any = true;
    size_t room = line->size() < keep ? keep - line->size() : 0;
    line->append(chunk_.data(), std::min(text, room));
    if (text > room) dropped = true;
    if (newline || in_.eof()) break;
    in_.clear(in_.rdstate() & ~std::ios::failbit);
  }
  if (!any) return false;
  ++line_number_;
  if (!dropped && !line->empty() && line->back() == '\r') line->pop_back();
  if (line_number_ == 1 && line->rfind("\xEF\xBB\xBF", 0) == 0) line->erase(0, 3);
  if (dropped || line->size() > max_bytes_) {
    too_long_ = true;
    line->resize(std::min(line->size(), max_bytes_));
  }
  return true;
}

std::string_view trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

bool is_blank(std::string_view line) { return trim(line).empty(); }

}  // namespace sluice
