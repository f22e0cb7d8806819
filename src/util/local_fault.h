// How a failed system call on one of sluice's own files (a temp file in the spool, an
// object in a folder store) becomes an error value: a local fault, never the job's fault.
#pragma once

#include <string>

#include "util/error.h"

namespace sluice {

// The local-fault reason for errno err:
//   ENOSPC, EDQUOT -> disk_full      EROFS -> read_only
//   EACCES, EPERM  -> local_denied   anything else (EIO, ENOENT, EFBIG, ...) -> local_io
Reason local_reason_for_errno(int err);

// Error{local_reason_for_errno(err), "<what>: <strerror(err)>"}. `what` names the
// operation and the path, e.g. "cannot write '/data/.sluice-tmp/fetch-1-7.part'".
Error local_errno_error(int err, const std::string& what);

}  // namespace sluice
