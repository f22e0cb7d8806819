#include "store/fs_error.h"

#include <cerrno>
#include <cstring>

namespace sluice {

Reason store_reason_for_errno(int err) {
  switch (err) {
    case EACCES:
    case EPERM:
    case EROFS:
      return Reason::store_denied;
    case EISDIR:
    case ENOTDIR:
    case EEXIST:
    case ENAMETOOLONG:
    case ELOOP:
      return Reason::bad_key;
    default:
      return Reason::store_io;
  }
}

Error store_errno_error(int err, const std::string& what) {
  return make_error(store_reason_for_errno(err), what + ": " + std::strerror(err));
}

}  // namespace sluice
