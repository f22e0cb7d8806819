// open_queue: which commands may create the queue file.
#include "cli/open.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace sluice {
namespace {

namespace fs = std::filesystem;

class OpenQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("open-queue-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  size_t files() const {
    return static_cast<size_t>(std::distance(fs::directory_iterator(dir_), {}));
  }
  fs::path dir_;
};

// Regression: status, export and dlq with a mistyped --queue created an empty queue and
// printed zeros.
TEST_F(OpenQueueTest, AMissingQueueIsAnErrorForCommandsThatNeedOneAndNothingIsCreated) {
  std::string path = (dir_ / "typo.db").string();
  auto q = open_queue(path, QueueAccess::existing);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().reason, Reason::bad_input);
  EXPECT_NE(q.error().detail.find("no queue file '" + path + "'"), std::string::npos)
      << q.error().detail;
  EXPECT_NE(q.error().detail.find("--queue"), std::string::npos);
  EXPECT_EQ(files(), 0u);
  q = open_queue("sqlite://" + path, QueueAccess::existing);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(files(), 0u);
}

TEST_F(OpenQueueTest, EnqueueAndRunCreateTheQueueThatOthersThenOpen) {
  std::string path = (dir_ / "q.db").string();
  {
    auto created = open_queue(path, QueueAccess::create);
    ASSERT_TRUE(created.ok()) << created.error().to_string();
  }
  EXPECT_TRUE(fs::exists(path));
  auto q = open_queue(path, QueueAccess::existing);
  ASSERT_TRUE(q.ok()) << q.error().to_string();
  auto st = (*q)->stats();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->all.total(), 0u);
}

TEST_F(OpenQueueTest, AnEchoedSpecIsCut) {
  auto q = open_queue("nosuch://" + std::string(10'000, 'x'), QueueAccess::existing);
  ASSERT_FALSE(q.ok());
  EXPECT_LT(q.error().detail.size(), 400u);
}

// run and serve take a SQLite file and redis:// alike; rediss:// is refused before anything
// is opened, with the way around it.
TEST(CheckRunnableQueue, SqliteAndRedisRunRedissIsRefusedWithATunnel) {
  EXPECT_TRUE(check_runnable_queue("sluice.db").ok());
  EXPECT_TRUE(check_runnable_queue("sqlite:///tmp/q.db").ok());
  EXPECT_TRUE(check_runnable_queue("redis://127.0.0.1:6379/0").ok());
  Status tls = check_runnable_queue("rediss://127.0.0.1:6379/0");
  ASSERT_FALSE(tls.ok());
  EXPECT_NE(tls.error().detail.find("stunnel"), std::string::npos) << tls.error().detail;
}

}  // namespace
}  // namespace sluice
