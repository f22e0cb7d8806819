// The engine's ordering of durability and group commits (store/durability.h): a job is
// recorded done only after Store::make_durable() covered its object.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/fake_fetcher.h"
#include "engine/forwarding_queue.h"
#include "gate/local_gate.h"
#include "queue/memory_queue.h"
#include "store/folder_store.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

// What happened, in order: "sync" (the store's syncfs) and "apply:N" (a group commit with
// N completions).
using Events = std::vector<std::string>;

// A MemoryQueue that records each apply() with the completions it carries.
class RecordingQueue final : public ForwardingQueue {
 public:
  explicit RecordingQueue(Events& events) : events_(events) {}
  Result<ApplyResult> apply(const std::vector<Transition>& batch, int64_t now_ms) override {
    int completes = 0;
    for (const auto& t : batch) completes += t.kind == Transition::Kind::complete;
    events_.push_back("apply:" + std::to_string(completes));
    return ForwardingQueue::apply(batch, now_ms);
  }

 private:
  Events& events_;
};

class EngineDurabilityTest : public ::testing::TestWithParam<Durability> {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("engine-durability-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(static_cast<int>(GetParam())));
    fs::remove_all(root_);
    FolderSync sync;
    sync.level = GetParam();
    sync.syncfs = [this](int) {
      events_.push_back("sync");
      return fail_sync_ ? (errno = EIO, -1) : 0;
    };
    auto s = FolderStore::open(root_, nullptr, /*threads=*/0, std::move(sync));
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    store_ = std::move(*s);
    opt_.seed = 7;
    opt_.commit_interval_ms = 5;
    opt_.commit_max = 7;  // several group commits
  }
  void TearDown() override { fs::remove_all(root_); }

  Status run(int jobs) {
    std::vector<JobInput> in;
    for (int i = 0; i < jobs; ++i) {
      in.push_back({"j" + std::to_string(i), "http://img.test/" + std::to_string(i) + ".jpg",
                    "img.test:80"});
    }
    EXPECT_TRUE(queue_.enqueue(in, clock_.now_ms()).ok());
    FakeFetcher fetcher(clock_, [](const FetchRequest&, int) { return FakeResponse{}; });
    HostLimits limits(4);
    LocalGate gate(limits, CircuitOptions{}, &clock_);
    auto keys = KeyTemplate::parse("{id}{ext}");
    EXPECT_TRUE(keys.ok());
    Engine engine(queue_, gate, gate, fetcher, *store_, *keys, limits, clock_, log_, opt_);
    Status s = engine.run();
    done_ = queue_.stats()->all.done;
    return s;
  }

  Events events_;
  bool fail_sync_ = false;
  FakeClock clock_;
  MemoryLogger log_;
  RecordingQueue queue_{events_};
  EngineOptions opt_;
  fs::path root_;
  std::unique_ptr<FolderStore> store_;
  uint64_t done_ = 0;
};

TEST_P(EngineDurabilityTest, CompletionsAreCommittedOnlyAfterASync) {
  ASSERT_TRUE(run(40).ok());
  EXPECT_EQ(done_, 40u);
  int applies_with_completions = 0, syncs = 0;
  bool synced_since_apply = false;
  for (const std::string& e : events_) {
    if (e == "sync") {
      ++syncs;
      synced_since_apply = true;
      continue;
    }
    if (e == "apply:0") continue;
    ++applies_with_completions;
    if (GetParam() == Durability::power) {
      EXPECT_TRUE(synced_since_apply) << "completions committed without a sync before them";
    }
    synced_since_apply = false;
  }
  EXPECT_GT(applies_with_completions, 1);
  if (GetParam() == Durability::power) {
    // One sync per group commit, not one per object.
    EXPECT_EQ(syncs, applies_with_completions);
  } else {
    EXPECT_EQ(syncs, 0);
  }
}

// power: a failing sync stops the run before any job is recorded done. process: the
// level never syncs, so the same failing sync changes nothing.
TEST_P(EngineDurabilityTest, AFailedSyncRecordsNothingDone) {
  fail_sync_ = true;
  Status s = run(10);
  if (GetParam() == Durability::process) {
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    EXPECT_EQ(done_, 10u);
    for (const std::string& e : events_) EXPECT_NE(e, "sync");
    return;
  }
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().reason, Reason::local_io) << s.error().to_string();
  EXPECT_EQ(done_, 0u);
  for (const std::string& e : events_) EXPECT_TRUE(e == "sync" || e == "apply:0") << e;
}

INSTANTIATE_TEST_SUITE_P(Levels, EngineDurabilityTest,
                         ::testing::Values(Durability::process, Durability::power),
                         [](const auto& info) { return std::string(durability_name(info.param)); });

}  // namespace
}  // namespace sluice
