// Permission errors need a user the kernel checks permissions for. Tests run as root in CI
// (root bypasses file permissions), so each case runs in a forked child that drops to
// "nobody" first; a non-root user runs them as itself.
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <functional>
#include <string>

#include "store/folder_store.h"
#include "store/fs_error.h"
#include "util/temp_files.h"

namespace fs = std::filesystem;

namespace sluice {
namespace {

using testing::TempDir;
using testing::write_file;

constexpr int kNobody = 65534;
constexpr int kCannotDrop = 77;

// Runs body in a child process as an unprivileged user; returns its exit code.
int run_unprivileged(const std::function<int()>& body) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::geteuid() == 0 &&
        (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)) {
      ::_exit(kCannotDrop);
    }
    ::_exit(body());
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

// 0 when result is an error with the wanted reason; otherwise a code naming what happened.
int expect_reason(const Error* e, Reason want) {
  if (!e) return 10;  // succeeded
  return e->reason == want ? 0 : 11;
}

TEST(FolderStoreDenied, OpenUnderAReadOnlyFolderIsStoreDenied) {
  TempDir tmp;
  fs::permissions(tmp.path(),
                  fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  fs::path locked = tmp.path() / "locked";
  fs::create_directory(locked);
  fs::permissions(locked, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);

  int code = run_unprivileged([&] {
    auto s = FolderStore::open(locked / "store");
    if (s.ok()) return 10;
    if (s.error().detail.find((locked / "store").string()) == std::string::npos) return 12;
    if (s.error().detail.find("Permission denied") == std::string::npos) return 13;
    return expect_reason(&s.error(), Reason::store_denied);
  });
  if (code == kCannotDrop) GTEST_SKIP() << "running as root and cannot switch to nobody";
  EXPECT_EQ(code, 0);
}

// Regression: an existing store whose spool had become unwritable passed open() (the
// folders were there), and the run then failed every job.
TEST(FolderStoreDenied, OpenOfAStoreWhoseSpoolCannotBeWrittenIsStoreDenied) {
  TempDir tmp;
  fs::permissions(tmp.path(), fs::perms::all);
  fs::path root = tmp.path() / "root";
  fs::create_directories(root / ".sluice-tmp");
  fs::permissions(root, fs::perms::all);
  fs::permissions(root / ".sluice-tmp",
                  fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);

  int code = run_unprivileged([&] {
    auto s = FolderStore::open(root);
    if (s.ok()) return 10;
    if (s.error().detail.find(root.string()) == std::string::npos) return 12;
    if (s.error().detail.find("Permission denied") == std::string::npos) return 13;
    return expect_reason(&s.error(), Reason::store_denied);
  });
  if (code == kCannotDrop) GTEST_SKIP() << "running as root and cannot switch to nobody";
  EXPECT_EQ(code, 0);
}

// Permission lost after the run began: a local fault the engine waits out (the store
// folder was writable at open(), so someone may give it back), not an immediate stop.
TEST(FolderStoreDenied, PutIntoAReadOnlyFolderIsALocalFault) {
  TempDir tmp;
  fs::permissions(tmp.path(), fs::perms::all);
  fs::path root = tmp.path() / "root";
  fs::create_directories(root / ".sluice-tmp");
  fs::create_directories(root / "locked");
  fs::permissions(root, fs::perms::all);
  fs::permissions(root / ".sluice-tmp", fs::perms::all);
  fs::permissions(root / "locked",
                  fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);

  int code = run_unprivileged([&] {
    auto s = FolderStore::open(root);
    if (!s.ok()) return 20;
    fs::path t = (*s)->spool_dir() / "t";
    write_file(t, "bytes");
    (*s)->put(PutRequest{1, t, "locked/x.jpg", "", "", 5, ""});
    auto results = (*s)->poll();
    if (results.size() != 1) return 21;
    if (results[0].status.ok()) return 10;
    if (!fs::exists(t)) return 22;  // a failed put keeps the temp file
    const Error& e = results[0].status.error();
    if (e.detail.find((root / "locked").string()) == std::string::npos) return 23;
    if (e.detail.find("Permission denied") == std::string::npos) return 24;
    return expect_reason(&e, Reason::local_denied);
  });
  if (code == kCannotDrop) GTEST_SKIP() << "running as root and cannot switch to nobody";
  EXPECT_EQ(code, 0);
  EXPECT_FALSE(fs::exists(root / "locked" / "x.jpg"));
}

// What cannot be staged here (a read-only file system needs a mount, a full disk needs a
// small one; tests/system/test_disk_faults.sh does both as root) is covered by the errno
// mapping every store error goes through.
TEST(StoreErrno, MapsToReasons) {
  EXPECT_EQ(store_reason_for_errno(EACCES), Reason::local_denied);
  EXPECT_EQ(store_reason_for_errno(EPERM), Reason::local_denied);
  EXPECT_EQ(store_reason_for_errno(EROFS), Reason::read_only);
  EXPECT_EQ(store_reason_for_errno(ENOSPC), Reason::disk_full);
  EXPECT_EQ(store_reason_for_errno(EDQUOT), Reason::disk_full);
  EXPECT_EQ(store_reason_for_errno(EIO), Reason::local_io);
  EXPECT_EQ(store_reason_for_errno(EXDEV), Reason::local_io);
  EXPECT_EQ(store_reason_for_errno(EISDIR), Reason::bad_key);
  EXPECT_EQ(store_reason_for_errno(ENOTDIR), Reason::bad_key);
  EXPECT_EQ(store_reason_for_errno(ENAMETOOLONG), Reason::bad_key);
  Error e = store_errno_error(ENOSPC, "cannot rename 'a' to 'b'");
  EXPECT_EQ(e.reason, Reason::disk_full);
  EXPECT_EQ(e.detail, "cannot rename 'a' to 'b': No space left on device");
  for (int err : {ENOSPC, EDQUOT, EROFS, EACCES, EPERM, EIO}) {
    EXPECT_EQ(classify(store_errno_error(err, "x")), ErrorClass::local) << err;
  }
}

// At start-up only: a store folder that cannot be written at all stops the run at once.
TEST(StoreErrno, SetupErrorsAreDeniedOrStoreIo) {
  EXPECT_EQ(store_setup_error(EACCES, "x").reason, Reason::store_denied);
  EXPECT_EQ(store_setup_error(EPERM, "x").reason, Reason::store_denied);
  EXPECT_EQ(store_setup_error(EROFS, "x").reason, Reason::store_denied);
  EXPECT_EQ(store_setup_error(EIO, "x").reason, Reason::store_io);
}

}  // namespace
}  // namespace sluice
