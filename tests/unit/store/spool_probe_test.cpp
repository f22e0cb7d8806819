// probe_folder: the engine's test of whether the spool can be written again. Real faults
// only: a missing folder, a file size limit (EFBIG, what a full disk looks like to a
// writer), and a folder without write permission (as "nobody" when run as root).
#include "store/spool_probe.h"

#include <grp.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>

#include "util/temp_files.h"

namespace fs = std::filesystem;

namespace sluice {
namespace {

using testing::TempDir;

constexpr int kNobody = 65534;
constexpr int kCannotDrop = 77;

TEST(SpoolProbe, PassesInAWritableFolderAndLeavesNothing) {
  TempDir tmp;
  EXPECT_TRUE(probe_folder(tmp.path(), kProbeBytes).ok());
  EXPECT_TRUE(probe_folder(tmp.path(), 0).ok());
  EXPECT_TRUE(fs::is_empty(tmp.path()));
}

TEST(SpoolProbe, AMissingFolderIsALocalFaultNamingTheFile) {
  TempDir tmp;
  Status s = probe_folder(tmp.path() / "gone", kProbeBytes);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().reason, Reason::local_io);
  EXPECT_NE(s.error().detail.find((tmp.path() / "gone").string()), std::string::npos)
      << s.error().detail;
  EXPECT_NE(s.error().detail.find("No such file or directory"), std::string::npos);
}

// A write that the kernel refuses part way: the probe fails and still removes its file.
TEST(SpoolProbe, AFailedWriteFailsTheProbeAndRemovesTheFile) {
  TempDir tmp;
  struct rlimit old;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = old;
  small.rlim_cur = 4096;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  Status s = probe_folder(tmp.path(), kProbeBytes);
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().reason, Reason::local_io);
  EXPECT_NE(s.error().detail.find("cannot write"), std::string::npos) << s.error().detail;
  EXPECT_TRUE(fs::is_empty(tmp.path()));
}

TEST(SpoolProbe, AFolderWithoutWritePermissionIsLocalDenied) {
  TempDir tmp;
  fs::permissions(tmp.path(),
                  fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::geteuid() == 0 &&
        (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)) {
      ::_exit(kCannotDrop);
    }
    Status s = probe_folder(tmp.path(), kProbeBytes);
    ::_exit(!s.ok() && s.error().reason == Reason::local_denied ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == kCannotDrop) GTEST_SKIP() << "root and cannot switch to nobody";
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace sluice
