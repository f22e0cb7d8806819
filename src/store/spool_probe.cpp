#include "store/spool_probe.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <string>

#include "util/unique_fd.h"
#include "util/local_fault.h"
#include "util/text.h"

namespace sluice {

Status probe_folder(const std::filesystem::path& dir, size_t bytes) {
  static std::atomic<uint64_t> counter{0};
  const std::filesystem::path file =
      dir / ("probe-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + ".tmp");
  const std::string where = "'" + printable(file.string(), 1200) + "'";
  UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    const int err = errno;
    return local_errno_error(err, "cannot create " + where);
  }
  Status result;
  static const char zeros[16 * 1024] = {};
  for (size_t left = bytes; left > 0;) {
    const ssize_t n = ::write(fd.get(), zeros, std::min(left, sizeof zeros));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      result = local_errno_error(err, "cannot write " + where);
      break;
    }
    left -= static_cast<size_t>(n);
  }
  fd.reset();
  if (::unlink(file.c_str()) != 0 && result.ok()) {
    const int err = errno;
    result = local_errno_error(err, "cannot remove " + where);
  }
  return result;
}

}  // namespace sluice
