// The folder store's durability levels (store/durability.h): no sync per object in either
// level; with Durability::power one syncfs() of the store's file system per
// make_durable() that has new objects to cover.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "store/folder_store.h"
#include "util/temp_files.h"

namespace fs = std::filesystem;

namespace sluice {
namespace {

using testing::TempDir;
using testing::write_file;

class FolderDurabilityTest : public ::testing::Test {
 protected:
  // Opens a store at level whose syncfs calls are recorded (and succeed, or fail with
  // errno EIO while fail_ is set), with `threads` put workers.
  std::unique_ptr<FolderStore> open(Durability level, int threads = 0) {
    FolderSync sync;
    sync.level = level;
    sync.syncfs = [this](int fd) {
      syncfs_fds_.push_back(fd);
      if (fail_) {
        errno = EIO;
        return -1;
      }
      return 0;
    };
    auto s = FolderStore::open(tmp_.path() / "store", nullptr, threads, std::move(sync));
    EXPECT_TRUE(s.ok()) << s.error().to_string();
    return s.ok() ? std::move(*s) : nullptr;
  }

  // Stores n objects and waits for their results (the put workers finish them).
  void store_objects(FolderStore& store, int n) {
    for (int i = 0; i < n; ++i) {
      fs::path t = store.spool_dir() / ("t" + std::to_string(++tag_));
      write_file(t, "\xFF\xD8\xFF object " + std::to_string(tag_));
      store.put(PutRequest{tag_, t, "d/k" + std::to_string(tag_) + ".jpg", "", "", 1, ""});
    }
    size_t got = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (got < static_cast<size_t>(n) && std::chrono::steady_clock::now() < deadline) {
      for (const auto& r : store.poll()) {
        EXPECT_TRUE(r.status.ok()) << r.status.error().to_string();
        ++got;
      }
      std::this_thread::yield();
    }
    ASSERT_EQ(got, static_cast<size_t>(n));
  }

  TempDir tmp_;
  std::vector<int> syncfs_fds_;
  bool fail_ = false;
  uint64_t tag_ = 0;
};

TEST_F(FolderDurabilityTest, ProcessLevelNeverSyncs) {
  auto store = open(Durability::process);
  ASSERT_TRUE(store);
  store_objects(*store, 5);
  EXPECT_TRUE(store->make_durable().ok());
  EXPECT_TRUE(syncfs_fds_.empty());
  EXPECT_TRUE(fs::exists(tmp_.path() / "store" / "d" / "k5.jpg"));
}

TEST_F(FolderDurabilityTest, PowerLevelSyncsOncePerBatchNotPerObject) {
  auto store = open(Durability::power, /*threads=*/3);
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->make_durable().ok());  // nothing stored yet: nothing to sync
  EXPECT_TRUE(syncfs_fds_.empty());
  store_objects(*store, 20);
  EXPECT_TRUE(syncfs_fds_.empty()) << "a put synced on its own";
  ASSERT_TRUE(store->make_durable().ok());
  ASSERT_EQ(syncfs_fds_.size(), 1u);
  EXPECT_GE(syncfs_fds_[0], 0);
  EXPECT_TRUE(store->make_durable().ok());  // nothing new since
  EXPECT_EQ(syncfs_fds_.size(), 1u);
  store_objects(*store, 1);
  ASSERT_TRUE(store->make_durable().ok());
  EXPECT_EQ(syncfs_fds_.size(), 2u);
}

TEST_F(FolderDurabilityTest, AFailedSyncIsALocalFaultAndIsTriedAgain) {
  auto store = open(Durability::power);
  ASSERT_TRUE(store);
  store_objects(*store, 2);
  fail_ = true;
  Status s = store->make_durable();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().reason, Reason::local_io) << s.error().to_string();
  EXPECT_NE(s.error().detail.find("store"), std::string::npos) << s.error().detail;
  fail_ = false;
  // The objects are still not known to be durable: the next call syncs again.
  EXPECT_TRUE(store->make_durable().ok());
  EXPECT_EQ(syncfs_fds_.size(), 2u);
}

}  // namespace
}  // namespace sluice
