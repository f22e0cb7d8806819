#include "queue/run_lock.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "queue_fixture.h"

namespace sluice::testing {
namespace {

using ::testing::HasSubstr;

std::string expected_refusal(const std::string& holder_name, pid_t pid) {
  struct stat st {};
  EXPECT_EQ(::stat(holder_name.c_str(), &st), 0);
  return "another sluice run (pid " + std::to_string(pid) + ") holds the queue file " +
         holder_name + " (device " + std::to_string(major(st.st_dev)) + ":" +
         std::to_string(minor(st.st_dev)) + ", inode " + std::to_string(st.st_ino) +
         "); two runs on one queue file would double the per-host cap";
}

// The absolute name of the temporary directory's file, as /proc shows it.
std::string real(const std::string& path) { return std::filesystem::canonical(path).string(); }

TEST(RunLock, LocksTheQueueFileItselfAndCreatesItIfMissing) {
  TempDir dir;
  auto lock = RunLock::acquire(dir.file("sluice.db"));
  ASSERT_TRUE(lock.ok()) << lock.error().to_string();
  EXPECT_EQ(lock->path(), dir.file("sluice.db"));
  EXPECT_TRUE(std::filesystem::exists(dir.file("sluice.db")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("sluice.db.lock")));
  // SQLite takes the empty file as a new queue, and works beside the lock.
  auto q = SqliteQueue::open(dir.file("sluice.db"));
  ASSERT_TRUE(q.ok()) << q.error().to_string();
  EXPECT_TRUE((*q)->enqueue({job("1", "http://a.example/1")}, kT0).ok());
}

TEST(RunLock, RefusesASecondHolderWithAClearMessage) {
  TempDir dir;
  auto first = RunLock::acquire(dir.file("sluice.db"));
  ASSERT_TRUE(first.ok());
  auto second = RunLock::acquire(dir.file("sluice.db"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().reason, Reason::io);
  EXPECT_EQ(second.error().detail, expected_refusal(real(dir.file("sluice.db")), ::getpid()));
}

// Regression: the lock was keyed on the path string, so a run through a symbolic link or a
// hard link to the same queue file started, reclaimed the live run's leases and doubled
// the cap. Every name of the file meets the same lock, with the same message.
TEST(RunLock, EveryNameOfTheSameFileIsRefusedAlike) {
  TempDir dir;
  std::filesystem::create_directory(dir.file("sub"));
  auto first = RunLock::acquire(dir.file("q.db"));
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(::symlink(dir.file("q.db").c_str(), dir.file("symlink.db").c_str()), 0);
  ASSERT_EQ(::link(dir.file("q.db").c_str(), dir.file("sub/hardlink.db").c_str()), 0);
  ASSERT_EQ(::symlink("../q.db", dir.file("sub/relative.db").c_str()), 0);
  const std::string message = expected_refusal(real(dir.file("q.db")), ::getpid());
  for (const std::string& name :
       {dir.file("q.db"), dir.file("symlink.db"), dir.file("sub/hardlink.db"),
        dir.file("sub/relative.db"), dir.file("sub/../q.db")}) {
    auto other = RunLock::acquire(name);
    ASSERT_FALSE(other.ok()) << name << " was not refused";
    EXPECT_EQ(other.error().detail, message) << name;
  }
  // Another file is another queue.
  EXPECT_TRUE(RunLock::acquire(dir.file("other.db")).ok());
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
  EXPECT_THAT(lock.error().detail,
              HasSubstr("cannot open the queue file " + dir.file("missing/q.db")));
  EXPECT_EQ(RunLock::acquire("").error().reason, Reason::bad_input);
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
  // kill -9 of the child, also when an assertion below returns early.
  struct Killer {
    pid_t pid;
    void operator()() {
      if (pid <= 0) return;
      ::kill(pid, SIGKILL);
      int status = 0;
      ::waitpid(pid, &status, 0);
      pid = 0;
    }
    ~Killer() { (*this)(); }
  } kill_child{child};
  ::close(ready[1]);
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ::close(ready[0]);
  ASSERT_EQ(c, 'y');
  ASSERT_EQ(::link(dir.file("q.db").c_str(), dir.file("hardlink.db").c_str()), 0);
  for (const char* name : {"q.db", "hardlink.db"}) {
    auto refused = RunLock::acquire(dir.file(name));
    ASSERT_FALSE(refused.ok()) << name;
    // The holder's pid and its own name for the file, whichever name we came by.
    EXPECT_EQ(refused.error().detail, expected_refusal(real(dir.file("q.db")), child)) << name;
  }
  kill_child();
  EXPECT_TRUE(RunLock::acquire(dir.file("q.db")).ok());
}

}  // namespace
}  // namespace sluice::testing
