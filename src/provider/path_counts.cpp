#include "provider/path_counts.h"

namespace sluice {

int64_t PathCounts::count(std::string_view path) { return ++counts_[std::string(path)]; }

int64_t PathCounts::next(std::string_view path) const {
  auto it = counts_.find(std::string(path));
  return (it == counts_.end() ? 0 : it->second) + 1;
}

}  // namespace sluice
