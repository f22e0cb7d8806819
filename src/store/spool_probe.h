// Whether sluice can write in one of its own folders right now: the test the engine
// repeats while a local fault (full disk, read-only file system, permission lost) lasts,
// and the check FolderStore::open() makes before a run begins.
#pragma once

#include <cstddef>
#include <filesystem>

#include "util/error.h"

namespace sluice {

// Bytes a probe writes: about one image, so a disk with a few bytes free does not pass.
constexpr size_t kProbeBytes = 64 * 1024;

// Creates a new file "probe-<pid>-<n>.tmp" in dir (O_EXCL), writes `bytes` zero bytes to
// it and removes it again, whatever happened. ok, or a local fault (util/local_fault.h)
// naming the file and the system's message. Any thread; leaves nothing behind unless the
// process dies in between (clean_spool() removes such leftovers at the next start).
[[nodiscard]] Status probe_folder(const std::filesystem::path& dir, size_t bytes);

}  // namespace sluice
