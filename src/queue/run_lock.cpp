#include "queue/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

namespace sluice {
namespace {

// A user's path in a message, bounded.
std::string shown(const std::string& path) {
  constexpr size_t kMax = 256;
  return path.size() <= kMax ? path : path.substr(0, kMax) + "...";
}

Error os_error(const std::string& what, int err) {
  return make_error(Reason::io, what + ": " + std::strerror(err));
}

// The pid holding a flock on the file st describes, from /proc/locks; "unknown" if that
// does not tell. Lines read "N: FLOCK  ADVISORY  WRITE <pid> <maj>:<min>:<ino> 0 EOF"
// (device numbers in hex); waiters have "->" after N. Some file systems (overlayfs, btrfs
// subvolumes) report another device there than stat() does: then a lone flock on the same
// inode number is taken as the holder.
std::string holder_pid(const struct stat& st) {
  std::ifstream in("/proc/locks");
  char dev[32];
  std::snprintf(dev, sizeof dev, "%02x:%02x:", major(st.st_dev), minor(st.st_dev));
  const std::string exact = dev + std::to_string(st.st_ino);
  const std::string ino_suffix = ":" + std::to_string(st.st_ino);
  std::string by_inode;
  int inode_matches = 0;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string n, type, mode, access, pid, id;
    fields >> n >> type;
    if (type != "FLOCK") continue;  // POSIX locks (SQLite's), OFD locks, waiters ("->")
    fields >> mode >> access >> pid >> id;
    if (id == exact) return pid;
    if (id.size() > ino_suffix.size() &&
        id.compare(id.size() - ino_suffix.size(), ino_suffix.size(), ino_suffix) == 0) {
      by_inode = pid;
      ++inode_matches;
    }
  }
  return inode_matches == 1 ? by_inode : "unknown";
}

// The name under which process pid opened the file st describes (its /proc/<pid>/fd link),
// so that every name of one queue file gets the same message; fallback when that cannot
// be read (another user's process, no /proc).
// own_fd: our own descriptor of the file, skipped when the holder is this process.
std::string holder_name(const std::string& pid, const struct stat& st, int own_fd,
                        const std::string& fallback) {
  const std::string own = pid == std::to_string(::getpid()) ? std::to_string(own_fd) : "";
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/" + pid + "/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->path().filename() == own) continue;
    struct stat other {};
    if (::stat(it->path().c_str(), &other) != 0) continue;
    if (other.st_dev != st.st_dev || other.st_ino != st.st_ino) continue;
    auto name = std::filesystem::read_symlink(it->path(), ec);
    if (!ec) return name.string();
    ec.clear();
  }
  return fallback;
}

}  // namespace

Result<RunLock> RunLock::acquire(const std::string& db_path) {
  if (db_path.empty()) {
    return make_error(Reason::bad_input, "the run lock needs a queue file; this queue is not one");
  }
  const std::string where = shown(db_path);
  int fd = ::open(db_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) fd = ::open(db_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return os_error("cannot open the queue file " + where, errno);
  RunLock lock(fd, db_path);  // closes fd on every return below
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return lock;
  int err = errno;
  if (err != EWOULDBLOCK) return os_error("cannot lock the queue file " + where, err);
  struct stat st {};
  if (::fstat(fd, &st) != 0) return os_error("cannot stat the queue file " + where, errno);
  char id[64];
  std::snprintf(id, sizeof id, "device %u:%u, inode %llu", major(st.st_dev), minor(st.st_dev),
                static_cast<unsigned long long>(st.st_ino));
  std::string pid = holder_pid(st);
  std::string name = pid == "unknown" ? where : shown(holder_name(pid, st, fd, db_path));
  return make_error(Reason::io, "another sluice run (pid " + pid + ") holds the queue file " +
                                    name + " (" + id +
                                    "); two runs on one queue file would double the per-host cap");
}

RunLock::RunLock(RunLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

RunLock& RunLock::operator=(RunLock&& other) noexcept {
  if (this != &other) {
    close_fd();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

RunLock::~RunLock() { close_fd(); }

void RunLock::close_fd() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace sluice
