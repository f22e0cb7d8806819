#include "util/local_fault.h"

#include <cerrno>
#include <cstring>

namespace sluice {

Reason local_reason_for_errno(int err) {
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      return Reason::disk_full;
    case EROFS:
      return Reason::read_only;
    case EACCES:
    case EPERM:
      return Reason::local_denied;
    default:
      return Reason::local_io;
  }
}

Error local_errno_error(int err, const std::string& what) {
  return make_error(local_reason_for_errno(err), what + ": " + std::strerror(err));
}

}  // namespace sluice
