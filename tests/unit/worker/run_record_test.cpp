#include "worker/run_record.h"

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

// A crash cuts every request of the run within a beat interval of its last heartbeat; each
// keeps its slot for --abandon-hold after that cut, like any request sluice cuts.
TEST_F(RunRecordTest, ACrashedRunsHostsAreHeldForTheAbandonHoldAfterItsLastBeat) {
  Heartbeat hb;
  hb.at_ms = 1'000'000;
  hb.abandon_hold_ms = 30'000;
  hb.busy = {{"img.example:443", 20}, {"cdn.example:80", 5}};
  write_run_record(path_, hb, log_);
  auto holds = read_run_record(path_, 1'000'500, 1'000, 30'000, std::nullopt, log_);
  ASSERT_EQ(holds.size(), 2u);
  EXPECT_EQ(holds["img.example:443"].slots, 20);
  EXPECT_EQ(holds["img.example:443"].until_ms, 1'000'000 + 1'000 + 30'000);
  EXPECT_EQ(holds["cdn.example:80"].slots, 5);
  ASSERT_FALSE(log_.lines().empty());  // the hold is said out loud
  EXPECT_NE(log_.lines()[0].find("stopped without finishing"), std::string::npos);
}

TEST_F(RunRecordTest, TheLongerOfTheTwoRunsHoldsCounts) {
  Heartbeat hb;
  hb.at_ms = 1'000'000;
  hb.abandon_hold_ms = 5'000;
  hb.busy = {{"img.example:443", 20}};
  write_run_record(path_, hb, log_);
  EXPECT_EQ(read_run_record(path_, 1'000'500, 1'000, 60'000, std::nullopt, log_)["img.example:443"]
                .until_ms,
            1'061'000);
  EXPECT_EQ(read_run_record(path_, 1'000'500, 1'000, 2'000, std::nullopt, log_)["img.example:443"]
                .until_ms,
            1'006'000);
}

// A file from before --abandon-hold named the requests' deadline: it still holds.
TEST_F(RunRecordTest, AnOlderRecordsDeadlineStillHolds) {
  std::ofstream(path_) << R"({"pid":1,"at_ms":1000000,"request_deadline_ms":120000,)"
                       << R"("busy":{"img.example:443":20}})";
  auto holds = read_run_record(path_, 1'000'500, 1'000, 30'000, std::nullopt, log_);
  EXPECT_EQ(holds["img.example:443"].until_ms, 1'121'000);
}

// Slots held for cut requests outlive the run that cut them, even one that ended well.
TEST_F(RunRecordTest, HeldSlotsOutliveACleanEnd) {
  Heartbeat hb;
  hb.at_ms = 1'000'000;
  hb.abandon_hold_ms = 30'000;
  hb.final = true;
  hb.holds = {{"img.example:443", SlotHold{3, 1'020'000}}};
  hb.holds_taken = {{"img.example:443", 7}};
  write_run_record(path_, hb, log_);
  ASSERT_TRUE(fs::exists(path_));
  auto holds = read_run_record(path_, 1'000'500, 1'000, 30'000, std::nullopt, log_);
  ASSERT_EQ(holds.size(), 1u);
  EXPECT_EQ(holds["img.example:443"].slots, 3);
  EXPECT_EQ(holds["img.example:443"].until_ms, 1'020'000);
  ASSERT_FALSE(log_.lines().empty());
  EXPECT_NE(log_.lines()[0].find("cut requests"), std::string::npos) << log_.lines()[0];
  nlohmann::json j = read_run_status(path_);
  EXPECT_EQ(j["holds_taken"]["img.example:443"], 7);
  EXPECT_EQ(j["final"], true);
}

// A crashed run's own holds merge with its busy hosts: the larger count, the later end.
TEST_F(RunRecordTest, BusyHostsAndHeldSlotsMerge) {
  Heartbeat hb;
  hb.at_ms = 1'000'000;
  hb.abandon_hold_ms = 2'000;
  hb.busy = {{"a.example:80", 5}};
  hb.holds = {{"a.example:80", SlotHold{2, 1'001'500}}, {"b.example:80", SlotHold{1, 1'001'800}}};
  write_run_record(path_, hb, log_);
  auto holds = read_run_record(path_, 1'000'100, 1'000, 2'000, std::nullopt, log_);
  EXPECT_EQ(holds["a.example:80"].slots, 5);
  EXPECT_EQ(holds["a.example:80"].until_ms, 1'003'000);
  EXPECT_EQ(holds["b.example:80"].slots, 1);
  EXPECT_EQ(holds["b.example:80"].until_ms, 1'001'800);
}

TEST_F(RunRecordTest, GraceShortensTheHold) {
  Heartbeat hb;
  hb.at_ms = 1'000'000;
  hb.abandon_hold_ms = 120'000;
  hb.busy = {{"img.example:443", 20}};
  write_run_record(path_, hb, log_);
  auto holds = read_run_record(path_, 1'000'500, 1'000, 30'000, int64_t{3'000}, log_);
  EXPECT_EQ(holds["img.example:443"].until_ms, 1'003'500);
}

TEST_F(RunRecordTest, NothingIsHeldPastTheHoldOrAfterACleanEnd) {
  Heartbeat hb;
  hb.at_ms = 1'000'000;
  hb.abandon_hold_ms = 10'000;
  hb.busy = {{"img.example:443", 20}};
  write_run_record(path_, hb, log_);
  EXPECT_TRUE(read_run_record(path_, 1'011'001, 1'000, 10'000, std::nullopt, log_).empty());
  Heartbeat clean;
  clean.final = true;
  write_run_record(path_, clean, log_);  // a clean end with nothing held removes the file
  EXPECT_FALSE(fs::exists(path_));
  EXPECT_TRUE(read_run_record(path_, 0, 1'000, 10'000, std::nullopt, log_).empty());
}

TEST_F(RunRecordTest, AGarbledFileHoldsNothingAndSaysSo) {
  std::ofstream(path_) << "{not json";
  EXPECT_TRUE(read_run_record(path_, 0, 1'000, 30'000, std::nullopt, log_).empty());
  ASSERT_EQ(log_.lines().size(), 1u);
  EXPECT_NE(log_.lines()[0].find("unreadable"), std::string::npos);
}

}  // namespace
}  // namespace sluice
