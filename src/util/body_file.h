// The temp file a response body is written to before it is stored: by the fetcher as the
// body streams in, or by the folder store for a body held in memory. Created exclusively
// (never follows or reuses an existing file); removed again unless the body is kept.
//
// Every failure is a local fault (util/local_fault.h: disk_full, read_only, local_denied,
// local_io) naming the path and the system's message: the disk, not the job, is at fault.
// One thread at a time uses an object.
#pragma once

#include <cstddef>
#include <filesystem>

#include "util/error.h"

namespace sluice {

class BodyFile {
 public:
  BodyFile() = default;
  BodyFile(const BodyFile&) = delete;
  BodyFile& operator=(const BodyFile&) = delete;
  ~BodyFile() { discard(); }

  // open(O_CREAT|O_EXCL|O_CLOEXEC, 0644). A local fault when the file exists or cannot be
  // made; an existing file is left alone.
  [[nodiscard]] Status create(const std::filesystem::path& path);
  // Appends all of data. A local fault on failure (disk full, read-only, I/O error); the
  // file then holds part of the data: discard() it, which also gives the space back.
  [[nodiscard]] Status write(const char* data, size_t size);
  // Makes the file readable by all (0644) and closes it, leaving it in place for the
  // caller. A local fault if close() fails,
  // and then the file is removed.
  [[nodiscard]] Status keep();
  // Closes and removes the file if this object created it and it was not kept.
  void discard();

  bool is_open() const { return fd_ >= 0; }
  const std::filesystem::path& path() const { return path_; }

 private:
  int fd_ = -1;
  bool created_ = false;  // we own the name: remove it unless kept
  std::filesystem::path path_;
};

}  // namespace sluice
