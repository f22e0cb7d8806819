// One `sluice run` per queue file: two runs would each keep the per-host cap, so the
// provider would see twice as many connections.
//
// The lock is on the file, not on a name: RunLock holds an exclusive, non-blocking
// flock(2) on the queue file itself for its lifetime. Every name that leads to the same
// file (a symbolic link, a hard link, a relative path, a bind mount) opens the same inode
// and meets the same lock, so a second run through any of them is refused with the same
// message. flock locks belong to the open file and are independent of the POSIX (fcntl)
// locks SQLite takes on the same file on Linux, so neither disturbs the other. The kernel
// drops the lock when the process dies, kill -9 included, so a crash never leaves a stale
// lock. flock is not reliable on some network file systems (NFS emulates it with POSIX
// locks, which would meet SQLite's); keep the queue file on a local disk.
//
// The holder's pid, for the message, comes from /proc/locks (Linux), and its name for the
// file from /proc/<pid>/fd; "unknown" and the caller's name where those cannot tell.
#pragma once

#include <string>

#include "util/error.h"

namespace sluice {

class RunLock {
 public:
  // Takes the lock on the queue file at db_path, creating an empty file there if there is
  // none (SQLite takes an empty file as a new database). If another process (or another
  // RunLock in this one) holds it, through this name or any other: io error
  // "another sluice run (pid N) holds the queue file NAME (device D, inode I); two runs on
  // one queue file would double the per-host cap", NAME being the holder's own name for
  // the file (from /proc/N/fd) where it can be read, so every name gets the same message;
  // else db_path. An empty db_path (a queue that is not a file) is a bad_input error.
  [[nodiscard]] static Result<RunLock> acquire(const std::string& db_path);

  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&& other) noexcept;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  ~RunLock();  // closes the file, which releases the lock

  const std::string& path() const { return path_; }  // the queue file, as given

 private:
  RunLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  void close_fd();

  int fd_ = -1;
  std::string path_;
};

}  // namespace sluice
