#include "input/line_reader.h"

#include <string_view>

namespace sluice {

bool LineReader::next(std::string* line) {
  if (!std::getline(in_, *line)) return false;
  ++line_number_;
  if (!line->empty() && line->back() == '\r') line->pop_back();
  if (line_number_ == 1 && line->rfind("\xEF\xBB\xBF", 0) == 0) line->erase(0, 3);
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
