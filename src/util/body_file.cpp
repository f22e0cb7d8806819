#include "util/body_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <fstream>
#include <string>
#include <system_error>

#include "util/local_fault.h"
#include "util/text.h"

namespace sluice {
namespace {

Error io_error(const char* what, const std::filesystem::path& path, int err) {
  return local_errno_error(
      err, std::string(what) + " temp file '" + printable(path.string(), 1200) + "'");
}

// Whether a file created with mode 0644 comes out 0644: the umask takes none of those bits.
// Read once from /proc/self/status (sluice never changes its umask); unknown: no.
bool umask_keeps_0644() {
  static const bool keeps = [] {
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("Umask:", 0) != 0) continue;
      try {
        return (std::stoul(line.substr(6), nullptr, 8) & 0644u) == 0;
      } catch (const std::exception&) {
        return false;
      }
    }
    return false;
  }();
  return keeps;
}

}  // namespace

Status BodyFile::create(const std::filesystem::path& path) {
  discard();
  path_ = path;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create", path, errno);
  fd_ = fd;
  created_ = true;
  return {};
}

Status BodyFile::write(const char* data, size_t size) {
  if (fd_ < 0) return make_error(Reason::internal, "write to a closed body file " + path_.string());
  while (size > 0) {
    ssize_t n = ::write(fd_, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write", path_, errno);
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return {};
}

Status BodyFile::keep() {
  if (fd_ < 0) return make_error(Reason::internal, "keep of a closed body file " + path_.string());
  int fd = fd_;
  fd_ = -1;
  // Objects are for reading whatever the umask: the store renames this file into place
  // as it is. create() asked for 0644, so only a umask that took bits needs the fchmod.
  if (!umask_keeps_0644() && ::fchmod(fd, 0644) != 0) {
    Error e = io_error("cannot finish", path_, errno);
    ::close(fd);
    discard();
    return e;
  }
  if (::close(fd) != 0) {
    Error e = io_error("cannot close", path_, errno);
    discard();
    return e;
  }
  created_ = false;
  return {};
}

void BodyFile::discard() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (created_) {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
    created_ = false;
  }
}

}  // namespace sluice
