// Engine teardown (engine.h, "Threads and teardown"): once run() returns, on any path, no
// store thread calls back into the engine, so the engine may be destroyed before the store.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "engine/engine.h"
#include "engine/fake_fetcher.h"
#include "engine/forwarding_queue.h"
#include "gate/local_gate.h"
#include "queue/memory_queue.h"
#include "store/folder_store.h"
#include "util/temp_files.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

// A MemoryQueue whose apply fails whole (a full disk under the queue file).
class ApplyFailsQueue final : public ForwardingQueue {
 public:
  Result<ApplyResult> apply(const std::vector<Transition>&, int64_t) override {
    return make_error(Reason::io, "sqlite: database or disk is full (injected)");
  }
};

// A folder store that keeps the notifier it is given, so the test can call it as a store
// thread finishing a put would.
class NotifierKeepingStore final : public Store {
 public:
  explicit NotifierKeepingStore(std::unique_ptr<FolderStore> base) : base_(std::move(base)) {}
  std::filesystem::path spool_dir() const override { return base_->spool_dir(); }
  void put(PutRequest req) override { base_->put(std::move(req)); }
  std::vector<PutResult> poll() override { return base_->poll(); }
  size_t in_flight() const override { return base_->in_flight(); }
  void set_notifier(std::function<void()> fn) override {
    ++set_calls_;
    notifier_ = std::move(fn);
  }
  Status clean_spool() override { return base_->clean_spool(); }
  std::string describe() const override { return base_->describe(); }

  bool has_notifier() const { return static_cast<bool>(notifier_); }
  int set_calls() const { return set_calls_; }
  // What a store thread does when a put finishes.
  void put_finished_on_a_store_thread() {
    if (notifier_) notifier_();
  }

 private:
  std::unique_ptr<FolderStore> base_;
  std::function<void()> notifier_;
  int set_calls_ = 0;
};

class EngineTeardownTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = FolderStore::open(dir_.path());
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    store_ = std::make_unique<NotifierKeepingStore>(std::move(*s));
    opt_.commit_interval_ms = 10;
  }

  // Runs an engine made on the heap, destroys it and its fetcher, and returns run()'s
  // status. The store outlives them, as in `sluice run`.
  Status run_and_destroy(Queue& queue) {
    std::vector<JobInput> jobs;
    for (int i = 0; i < 5; ++i) {
      jobs.push_back(
          {"id" + std::to_string(i), "http://img.test/" + std::to_string(i) + ".jpg", ""});
    }
    EXPECT_TRUE(queue.enqueue(jobs, clock_.now_ms()).ok());
    auto fetcher = std::make_unique<FakeFetcher>(
        clock_, [](const FetchRequest&, int) { return FakeResponse{}; });
    LocalGate gate(limits_);
    auto keys = KeyTemplate::parse("{id}{ext}");
    auto engine = std::make_unique<Engine>(queue, gate, gate, *fetcher, *store_, *keys, limits_,
                                           clock_, log_, opt_);
    Status s = engine->run();
    EXPECT_FALSE(store_->has_notifier()) << "run() returned with the store's notifier still set";
    engine.reset();
    fetcher.reset();
    // A put finishing now, on a store thread: with a notifier left behind, this calls
    // into the destroyed engine (ASan: heap-use-after-free).
    store_->put_finished_on_a_store_thread();
    return s;
  }

  testing::TempDir dir_;
  FakeClock clock_;
  MemoryLogger log_;
  HostLimits limits_{3};
  EngineOptions opt_;
  std::unique_ptr<NotifierKeepingStore> store_;
};

// Regression: run() returned on a failed group commit without removing the store's
// notifier, and the folder store's workers then woke a fetcher (through an engine) that
// was already destroyed.
TEST_F(EngineTeardownTest, ACommitFailureRemovesTheStoreNotifier) {
  ApplyFailsQueue queue;
  Status s = run_and_destroy(queue);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().reason, Reason::io);
  EXPECT_EQ(store_->set_calls(), 2);  // installed, then removed
}

TEST_F(EngineTeardownTest, ANormalEndRemovesTheStoreNotifier) {
  MemoryQueue queue;
  Status s = run_and_destroy(queue);
  ASSERT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_EQ(queue.stats()->all.done, 5u);
  EXPECT_EQ(store_->set_calls(), 2);
}

}  // namespace
}  // namespace sluice
