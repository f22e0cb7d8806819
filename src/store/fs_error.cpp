#include "store/fs_error.h"

#include <cerrno>
#include <cstring>

#include "util/local_fault.h"

namespace sluice {

Reason store_reason_for_errno(int err) {
  switch (err) {
    case EISDIR:
    case ENOTDIR:
    case EEXIST:
    case ENAMETOOLONG:
    case ELOOP:
      return Reason::bad_key;
    default:
      return local_reason_for_errno(err);
  }
}

Error store_errno_error(int err, const std::string& what) {
  return make_error(store_reason_for_errno(err), what + ": " + std::strerror(err));
}

Error store_setup_error(int err, const std::string& what) {
  const bool denied = err == EACCES || err == EPERM || err == EROFS;
  return make_error(denied ? Reason::store_denied : Reason::store_io,
                    what + ": " + std::strerror(err));
}

}  // namespace sluice
