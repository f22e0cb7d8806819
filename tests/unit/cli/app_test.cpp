// cli_main: the command line as a user types it.
#include "cli/app.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

int run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "sluice");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return cli_main(static_cast<int>(args.size()), argv.data());
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cli-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    urls_ = (dir_ / "urls.txt").string();
    std::ofstream(urls_) << "http://img.example/a.jpg\nhttp://img.example/b.jpg\n";
    db_ = (dir_ / "q.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::string urls_, db_;
};

// Regression: global flags (-q, -v, --queue) were refused after the subcommand.
TEST_F(CliTest, GlobalFlagsWorkAfterTheSubcommand) {
  ASSERT_EQ(run_cli({"enqueue", urls_, "--queue", db_, "-q"}), kExitOk);
  EXPECT_TRUE(fs::exists(db_));  // the queue named after the subcommand, not sluice.db
  EXPECT_EQ(run_cli({"status", "--json", "--queue", db_, "-v"}), kExitOk);
  EXPECT_EQ(run_cli({"export", "--queue", db_, "-o", (dir_ / "m.csv").string()}), kExitOk);
  std::ifstream manifest(dir_ / "m.csv");
  std::string header, row;
  std::getline(manifest, header);
  size_t rows = 0;
  while (std::getline(manifest, row)) ++rows;
  EXPECT_EQ(rows, 2u);
  // Two levels down: dlq's own subcommands hand --queue up too.
  EXPECT_EQ(run_cli({"dlq", "summary", "--queue", db_}), kExitOk);
  EXPECT_EQ(run_cli({"dlq", "--queue", db_, "list"}), kExitOk);
}

TEST_F(CliTest, ReadOnlyCommandsRefuseAMissingQueueAndCreateNothing) {
  std::string typo = (dir_ / "qq.db").string();
  EXPECT_EQ(run_cli({"--queue", typo, "status"}), kExitError);
  EXPECT_EQ(run_cli({"--queue", typo, "export", "-o", (dir_ / "m.csv").string()}), kExitError);
  EXPECT_EQ(run_cli({"--queue", typo, "dlq", "list"}), kExitError);
  EXPECT_EQ(run_cli({"--queue", typo, "dlq", "replay", "--all"}), kExitError);
  EXPECT_FALSE(fs::exists(typo));
  EXPECT_FALSE(fs::exists(dir_ / "m.csv"));
}

TEST_F(CliTest, UnknownFlagsAreStillUsageErrors) {
  EXPECT_EQ(run_cli({"status", "--no-such-flag"}), kExitUsage);
  EXPECT_EQ(run_cli({"dlq", "list", "--nope"}), kExitUsage);
}

}  // namespace
}  // namespace sluice
