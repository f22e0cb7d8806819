// How durable a stored object is when the queue records its job done (--durability).
//
//  - process (the default): survives a crash of sluice itself (kill -9, out of memory).
//    The folder store writes a temp file and renames it into place atomically; the
//    operating system writes both to disk later. The SQLite queue commits with
//    synchronous=NORMAL (WAL), which promises the same. A power cut or an OS crash may
//    lose the last objects and the last commits; either way the jobs are fetched again.
//  - power: also survives a power cut or an OS crash. Before each group commit that
//    records jobs done, the store makes the objects it reported durable (the folder
//    store: one syncfs() of its file system), and the SQLite queue commits with
//    synchronous=FULL.
#pragma once

#include <optional>
#include <string_view>

namespace sluice {

enum class Durability { process, power };

inline const char* durability_name(Durability d) {
  return d == Durability::power ? "power" : "process";
}

inline std::optional<Durability> parse_durability(std::string_view s) {
  if (s == "process") return Durability::process;
  if (s == "power") return Durability::power;
  return std::nullopt;
}

}  // namespace sluice
