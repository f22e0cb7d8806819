// How a store turns a failed system call into an error value.
#pragma once

#include <string>

#include "util/error.h"

namespace sluice {

// The reason for errno err in a store:
//   EACCES, EPERM, EROFS                        -> store_denied (stop the run, tell the user)
//   EISDIR, ENOTDIR, EEXIST, ENAMETOOLONG, ELOOP -> bad_key (this key cannot be stored
//                                                  here; permanent for the job)
//   anything else (ENOSPC, EDQUOT, EIO, ...)    -> store_io (retry later)
Reason store_reason_for_errno(int err);

// Error{store_reason_for_errno(err), "<what>: <strerror(err)>"}.
Error store_errno_error(int err, const std::string& what);

}  // namespace sluice
