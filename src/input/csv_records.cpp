#include "input/csv.h"

#include "input/line_reader.h"

namespace sluice {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

}  // namespace

Status split_csv_record(std::string_view line, std::vector<std::string>* out) {
  out->clear();
  size_t i = 0;
  const size_t n = line.size();
  for (;;) {  // one field per turn
    size_t start = i;
    while (i < n && is_space(line[i])) ++i;
    if (i < n && line[i] == '"') {
      std::string field;
      size_t open_at = i++;
      for (;;) {
        if (i >= n) {
          return make_error(Reason::bad_input,
                            "unterminated quoted field starting at column " +
                                std::to_string(open_at + 1) +
                                " (a quoted field spanning lines is not supported)");
        }
        if (line[i] == '"') {
          if (i + 1 < n && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += line[i++];
      }
      while (i < n && is_space(line[i])) ++i;
      if (i < n && line[i] != ',') {
        return make_error(Reason::bad_input, "unexpected text after the closing quote at column " +
                                                 std::to_string(i + 1));
      }
      out->push_back(std::move(field));
    } else {
      size_t end = line.find(',', start);
      if (end == std::string_view::npos) end = n;
      out->emplace_back(trim(line.substr(start, end - start)));
      i = end;
    }
    if (i >= n) return Status();
    ++i;  // the comma
  }
}

}  // namespace sluice
