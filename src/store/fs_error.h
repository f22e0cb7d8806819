// How a store turns a failed system call into an error value.
#pragma once

#include <string>

#include "util/error.h"

namespace sluice {

// The reason for errno err while a folder store writes, flushes or renames an object:
//   EISDIR, ENOTDIR, EEXIST, ENAMETOOLONG, ELOOP -> bad_key (this key cannot be stored
//                                                  here; permanent for the job)
//   anything else -> a local fault (util/local_fault.h): ENOSPC/EDQUOT disk_full, EROFS
//   read_only, EACCES/EPERM local_denied, EIO and the rest local_io. The engine pauses
//   fetching and retries the put until the disk recovers or --disk-wait runs out.
Reason store_reason_for_errno(int err);

// Error{store_reason_for_errno(err), "<what>: <strerror(err)>"}.
Error store_errno_error(int err, const std::string& what);

// For failures that concern the whole store folder at start-up (FolderStore::open,
// clean_spool): EACCES, EPERM, EROFS -> store_denied (stop the run at once, tell the
// user); anything else -> store_io.
Error store_setup_error(int err, const std::string& what);

}  // namespace sluice
