#include "util/local_fault.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace sluice {
namespace {

TEST(LocalFault, ErrnoMapsToAStableReason) {
  EXPECT_EQ(local_reason_for_errno(ENOSPC), Reason::disk_full);
  EXPECT_EQ(local_reason_for_errno(EDQUOT), Reason::disk_full);
  EXPECT_EQ(local_reason_for_errno(EROFS), Reason::read_only);
  EXPECT_EQ(local_reason_for_errno(EACCES), Reason::local_denied);
  EXPECT_EQ(local_reason_for_errno(EPERM), Reason::local_denied);
  for (int err : {EIO, ENOENT, EFBIG, EMFILE, 0}) {
    EXPECT_EQ(local_reason_for_errno(err), Reason::local_io) << err;
  }
}

TEST(LocalFault, TheErrorNamesWhatAndTheSystemsMessage) {
  Error e = local_errno_error(ENOSPC, "cannot write temp file '/data/.sluice-tmp/f.part'");
  EXPECT_EQ(e.reason, Reason::disk_full);
  EXPECT_EQ(
      e.to_string(),
      "disk_full: cannot write temp file '/data/.sluice-tmp/f.part': No space left on device");
  EXPECT_EQ(classify(e), ErrorClass::local);
  EXPECT_EQ(local_errno_error(EROFS, "x").detail, "x: Read-only file system");
}

}  // namespace
}  // namespace sluice
