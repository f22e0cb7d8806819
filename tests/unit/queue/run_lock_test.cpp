#include "queue/run_lock.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "queue_fixture.h"

namespace sluice::testing {
namespace {

using ::testing::HasSubstr;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(RunLock, WritesTheHoldersPid) {
  TempDir dir;
  auto lock = RunLock::acquire(dir.file("sluice.db"));
  ASSERT_TRUE(lock.ok()) << lock.error().to_string();
  EXPECT_EQ(lock->path(), dir.file("sluice.db.lock"));
  EXPECT_EQ(read_file(dir.file("sluice.db.lock")), std::to_string(::getpid()) + "\n");
}

TEST(RunLock, RefusesASecondHolderWithAClearMessage) {
  TempDir dir;
  auto first = RunLock::acquire(dir.file("sluice.db"));
  ASSERT_TRUE(first.ok());
  auto second = RunLock::acquire(dir.file("sluice.db"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().detail,
            "another sluice run holds " + dir.file("sluice.db.lock") + " (pid " +
                std::to_string(::getpid()) +
                "); two runs on one queue file would double the per-host cap");
}

TEST(RunLock, IsFreedWhenTheHolderGoesAwayButNotWhenMoved) {
  TempDir dir;
  {
    auto first = RunLock::acquire(dir.file("q.db"));
    ASSERT_TRUE(first.ok());
    RunLock moved = std::move(*first);
    EXPECT_FALSE(RunLock::acquire(dir.file("q.db")).ok());
  }
  EXPECT_TRUE(RunLock::acquire(dir.file("q.db")).ok());
}

TEST(RunLock, ReportsADirectoryThatDoesNotExist) {
  TempDir dir;
  auto lock = RunLock::acquire(dir.file("missing/q.db"));
  ASSERT_FALSE(lock.ok());
  EXPECT_EQ(lock.error().reason, Reason::io);
  EXPECT_THAT(lock.error().detail, HasSubstr("cannot open"));
}

// Another process holds the lock; kill -9 of that process frees it.
TEST(RunLock, HeldByAnotherProcessUntilItIsKilled) {
  TempDir dir;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto lock = RunLock::acquire(dir.file("q.db"));
    char c = lock.ok() ? 'y' : 'n';
    (void)!::write(ready[1], &c, 1);
    for (;;) ::pause();
  }
  ::close(ready[1]);
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::close(ready[0]);
  ASSERT_EQ(c, 'y');
  auto refused = RunLock::acquire(dir.file("q.db"));
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().detail, HasSubstr("(pid " + std::to_string(child) + ")"));
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(RunLock::acquire(dir.file("q.db")).ok());
}

}  // namespace
}  // namespace sluice::testing
