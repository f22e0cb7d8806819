// How many GETs each image path has had since start or POST /__reset: the n of the fault
// rules that fire only on a path's first requests (faults.h). Not synchronised: Counters
// holds one under its mutex.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace sluice {

class PathCounts {
 public:
  // Counts one more GET of `path`; returns its n (1 for the first).
  int64_t count(std::string_view path);
  // The n the next GET of `path` would get, counting nothing.
  int64_t next(std::string_view path) const;
  void clear() { counts_.clear(); }
  size_t paths() const { return counts_.size(); }

 private:
  std::unordered_map<std::string, int64_t> counts_;
};

}  // namespace sluice
