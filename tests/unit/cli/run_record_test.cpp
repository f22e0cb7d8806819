#include "cli/run_record.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace sluice {
namespace {

namespace fs = std::filesystem;

class RunRecordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (fs::temp_directory_path() /
             ("run-record-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                .string();
    fs::remove(path_);
  }
  void TearDown() override { fs::remove(path_); }
  std::string path_;
  MemoryLogger log_;
};

TEST_F(RunRecordTest, ACrashedRunsHostsAreHeldUntilItsRequestsArePastTheirDeadline) {
  Heartbeat hb;
  hb.at_ms = 1'000'000;
  hb.request_deadline_ms = 120'000;
  hb.busy = {{"img.example:443", 20}, {"cdn.example:80", 5}};
  write_run_record(path_, hb, log_);
  auto holds = read_run_record(path_, 1'000'500, 1'000, std::nullopt, log_);
  ASSERT_EQ(holds.size(), 2u);
  EXPECT_EQ(holds["img.example:443"].slots, 20);
  EXPECT_EQ(holds["img.example:443"].until_ms, 1'000'000 + 1'000 + 120'000);
  EXPECT_EQ(holds["cdn.example:80"].slots, 5);
  EXPECT_FALSE(log_.lines().empty());  // the hold is said out loud
}

TEST_F(RunRecordTest, GraceShortensTheHold) {
  Heartbeat hb;
  hb.at_ms = 1'000'000;
  hb.request_deadline_ms = 120'000;
  hb.busy = {{"img.example:443", 20}};
  write_run_record(path_, hb, log_);
  auto holds = read_run_record(path_, 1'000'500, 1'000, int64_t{3'000}, log_);
  EXPECT_EQ(holds["img.example:443"].until_ms, 1'003'500);
}

TEST_F(RunRecordTest, NothingIsHeldPastTheDeadlineOrAfterACleanEnd) {
  Heartbeat hb;
  hb.at_ms = 1'000'000;
  hb.request_deadline_ms = 10'000;
  hb.busy = {{"img.example:443", 20}};
  write_run_record(path_, hb, log_);
  EXPECT_TRUE(read_run_record(path_, 1'011'001, 1'000, std::nullopt, log_).empty());
  write_run_record(path_, Heartbeat{}, log_);  // a clean end removes the file
  EXPECT_FALSE(fs::exists(path_));
  EXPECT_TRUE(read_run_record(path_, 0, 1'000, std::nullopt, log_).empty());
}

TEST_F(RunRecordTest, AGarbledFileHoldsNothingAndSaysSo) {
  std::ofstream(path_) << "{not json";
  EXPECT_TRUE(read_run_record(path_, 0, 1'000, std::nullopt, log_).empty());
  ASSERT_EQ(log_.lines().size(), 1u);
  EXPECT_NE(log_.lines()[0].find("unreadable"), std::string::npos);
}

}  // namespace
}  // namespace sluice
