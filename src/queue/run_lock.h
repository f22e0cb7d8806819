// One `sluice run` per queue file: two runs would each keep the per-host cap, so the
// provider would see twice as many connections.
//
// RunLock holds an exclusive, non-blocking flock(2) on "<db path>.lock" for its lifetime
// and writes the holder's pid into the file. The kernel drops the lock when the process
// dies, kill -9 included, so a crash never leaves a stale lock. The file itself is left
// in place (removing it would let two runs lock two different files). flock is not
// reliable on some network file systems; keep the queue file on a local disk.
#pragma once

#include <string>

#include "util/error.h"

namespace sluice {

class RunLock {
 public:
  // Takes the lock beside db_path. If another process (or another RunLock in this one)
  // holds it: io error "another sluice run holds <lock path> (pid N); two runs on one
  // queue file would double the per-host cap".
  static Result<RunLock> acquire(const std::string& db_path);

  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&& other) noexcept;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  ~RunLock();  // closes the file, which releases the lock

  const std::string& path() const { return path_; }  // the lock file

 private:
  RunLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  void close_fd();

  int fd_ = -1;
  std::string path_;
};

}  // namespace sluice
