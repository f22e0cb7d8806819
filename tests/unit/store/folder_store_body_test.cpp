// FolderStore puts whose body is in memory (PutRequest::body): the store writes it to the
// temp file, hashes it and renames it into place, on its worker threads or within put();
// a failed put leaves neither a temp file nor an object, and the caller's body serves a retry.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "store/folder_store.h"
#include "util/logger.h"
#include "util/temp_files.h"

namespace fs = std::filesystem;

namespace sluice {
namespace {

using testing::FileSizeLimit;
using testing::read_file;
using testing::TempDir;

// SHA-256 of "abc" (FIPS 180-2, appendix B.1): an answer not computed by the code under test.
constexpr const char* kAbcSha256 =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

class FolderStoreBodyTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    root_ = tmp_.path() / "store";
    auto s = FolderStore::open(root_, &log_, /*threads=*/GetParam());
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    store_ = std::move(*s);
    store_->set_notifier([this] {
      std::lock_guard lock(mu_);
      notified_ = true;
      cv_.notify_all();
    });
  }

  PutRequest request(const std::string& key, std::string body, std::string sha256 = "") {
    PutRequest req;
    req.tag = ++tag_;
    req.temp_file = store_->spool_dir() / ("t" + std::to_string(tag_));
    req.key = key;
    req.sha256 = std::move(sha256);
    req.body = std::make_shared<const std::string>(std::move(body));
    return req;
  }

  // put() and wait for its one result (the store's notifier says when one is waiting).
  PutResult put(PutRequest req) {
    store_->put(std::move(req));
    for (;;) {
      auto results = store_->poll();
      if (!results.empty()) {
        EXPECT_EQ(results.size(), 1u);
        return results[0];
      }
      std::unique_lock lock(mu_);
      if (!cv_.wait_for(lock, std::chrono::seconds(30), [this] { return notified_; })) {
        ADD_FAILURE() << "no result within 30 s";
        return PutResult{};
      }
      notified_ = false;
    }
  }

  void TearDown() override {
    if (store_) store_->set_notifier(nullptr);
  }

  TempDir tmp_;
  fs::path root_;
  MemoryLogger log_;
  std::unique_ptr<FolderStore> store_;
  uint64_t tag_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  bool notified_ = false;
};

TEST_P(FolderStoreBodyTest, ABodyIsWrittenHashedAndPlaced) {
  EXPECT_TRUE(store_->takes_bodies());
  PutResult r = put(request("a/b.jpg", "abc"));
  ASSERT_TRUE(r.status.ok()) << r.status.error().to_string();
  EXPECT_EQ(r.tag, tag_);
  EXPECT_EQ(r.sha256, kAbcSha256);
  EXPECT_EQ(read_file(root_ / "a/b.jpg"), "abc");
  EXPECT_TRUE(fs::is_empty(store_->spool_dir()));
  EXPECT_EQ(fs::status(root_ / "a/b.jpg").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                fs::perms::others_read);
}

TEST_P(FolderStoreBodyTest, AKnownSha256IsNotHashedAgain) {
  PutResult r = put(request("k.jpg", "abc", std::string(64, '0')));
  ASSERT_TRUE(r.status.ok()) << r.status.error().to_string();
  EXPECT_TRUE(r.sha256.empty());
  EXPECT_EQ(read_file(root_ / "k.jpg"), "abc");
}

TEST_P(FolderStoreBodyTest, AnEmptyBodyIsAnEmptyObject) {
  PutResult r = put(request("e.png", ""));
  ASSERT_TRUE(r.status.ok()) << r.status.error().to_string();
  EXPECT_EQ(r.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_TRUE(fs::exists(root_ / "e.png"));
  EXPECT_EQ(fs::file_size(root_ / "e.png"), 0u);
}

TEST_P(FolderStoreBodyTest, AFailedWriteIsALocalFaultLeavingNothingAndARetrySucceeds) {
  const std::string body(64 * 1024, 'x');
  PutRequest req = request("big.jpg", body);
  PutRequest again = req;  // the caller's reference to the same body
  PutResult r;
  {
    FileSizeLimit limit(16 * 1024);
    r = put(std::move(req));
  }
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.error().reason, Reason::local_io) << r.status.error().to_string();
  EXPECT_NE(r.status.error().detail.find("cannot write temp file"), std::string::npos)
      << r.status.error().detail;
  EXPECT_TRUE(r.sha256.empty());
  EXPECT_TRUE(fs::is_empty(store_->spool_dir()));
  EXPECT_FALSE(fs::exists(root_ / "big.jpg"));

  PutResult r2 = put(std::move(again));
  ASSERT_TRUE(r2.status.ok()) << r2.status.error().to_string();
  EXPECT_EQ(read_file(root_ / "big.jpg"), body);
}

TEST_P(FolderStoreBodyTest, ABadKeyLeavesNoTempFile) {
  PutResult r = put(request("../out.jpg", "abc"));
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.error().reason, Reason::bad_key) << r.status.error().to_string();
  EXPECT_TRUE(fs::is_empty(store_->spool_dir()));
}

TEST_P(FolderStoreBodyTest, AKeyCollidingWithAFolderRemovesItsTempFile) {
  fs::create_directories(root_ / "dir.jpg");
  PutResult r = put(request("dir.jpg", "abc"));
  ASSERT_FALSE(r.status.ok());
  EXPECT_EQ(r.status.error().reason, Reason::bad_key) << r.status.error().to_string();
  EXPECT_TRUE(fs::is_empty(store_->spool_dir()));
}

INSTANTIATE_TEST_SUITE_P(SyncAndThreaded, FolderStoreBodyTest, ::testing::Values(0, 2));

}  // namespace
}  // namespace sluice
