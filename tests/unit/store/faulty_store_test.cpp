#include "store/faulty_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>

#include "store/folder_store.h"
#include "util/temp_files.h"

namespace fs = std::filesystem;

namespace sluice {
namespace {

using testing::read_file;
using testing::TempDir;
using testing::write_file;

class FaultyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto base = FolderStore::open(tmp_.path() / "store");
    ASSERT_TRUE(base.ok()) << base.error().to_string();
    folder_ = base->get();
    store_ = std::make_unique<FaultyStore>(std::move(*base));
  }

  PutRequest request(uint64_t tag, const std::string& key) {
    fs::path t = store_->spool_dir() / ("t" + std::to_string(tag));
    write_file(t, "bytes of " + key);
    return PutRequest{tag, t, key, "image/jpeg", "", 0, "https://x/" + key};
  }

  // Every result of the puts so far, by tag order.
  std::vector<PutResult> drain() {
    auto r = store_->poll();
    std::sort(r.begin(), r.end(), [](const auto& a, const auto& b) { return a.tag < b.tag; });
    return r;
  }

  TempDir tmp_;
  FolderStore* folder_ = nullptr;
  std::unique_ptr<FaultyStore> store_;
};

TEST_F(FaultyStoreTest, PassesThroughWithoutFaults) {
  store_->put(request(1, "a"));
  auto r = drain();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].status.ok());
  EXPECT_EQ(read_file(folder_->root() / "a"), "bytes of a");
  EXPECT_EQ(store_->spool_dir(), folder_->spool_dir());
  EXPECT_EQ(store_->describe(), "faulty " + folder_->describe());
  EXPECT_EQ(&store_->base(), folder_);
}

TEST_F(FaultyStoreTest, FailsTheNextKPutsBeforeTheyReachTheStore) {
  store_->fail_next(2, make_error(Reason::store_io, "disk full (injected)"));
  for (uint64_t tag = 1; tag <= 3; ++tag) store_->put(request(tag, "k" + std::to_string(tag)));
  EXPECT_EQ(store_->in_flight(), 3u);
  auto r = drain();
  EXPECT_EQ(store_->in_flight(), 0u);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].status.error().reason, Reason::store_io);
  EXPECT_EQ(r[0].status.error().detail, "disk full (injected)");
  EXPECT_EQ(r[1].status.error().reason, Reason::store_io);
  EXPECT_TRUE(r[2].status.ok());
  EXPECT_FALSE(fs::exists(folder_->root() / "k1"));
  EXPECT_TRUE(fs::exists(store_->spool_dir() / "t1"));  // temp kept for a retry
  EXPECT_TRUE(fs::exists(folder_->root() / "k3"));
  EXPECT_EQ(store_->puts(), 3);
  EXPECT_EQ(store_->injected(), 2);
}

TEST_F(FaultyStoreTest, FailsEveryPutThatMatches) {
  store_->fail_if([](const PutRequest& r) { return r.key.find("bad") == 0; },
                  make_error(Reason::store_denied, "credentials (injected)"));
  store_->put(request(1, "bad1"));
  store_->put(request(2, "good"));
  store_->put(request(3, "bad2"));
  auto r = drain();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].status.error().reason, Reason::store_denied);
  EXPECT_TRUE(r[1].status.ok());
  EXPECT_EQ(r[2].status.error().reason, Reason::store_denied);

  store_->clear_faults();
  store_->put(request(4, "bad3"));
  r = drain();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].status.ok());
  EXPECT_EQ(store_->injected(), 2);
}

TEST_F(FaultyStoreTest, FailNextComesBeforeTheMatch) {
  store_->fail_if([](const PutRequest&) { return true; }, make_error(Reason::store_denied, "m"));
  store_->fail_next(1, make_error(Reason::store_io, "n"));
  store_->put(request(1, "a"));
  store_->put(request(2, "b"));
  auto r = drain();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].status.error().reason, Reason::store_io);
  EXPECT_EQ(r[1].status.error().reason, Reason::store_denied);
}

TEST_F(FaultyStoreTest, AfterModeStoresTheObjectButLosesTheAcknowledgement) {
  store_->fail_next(1, make_error(Reason::store_io, "ack lost (injected)"),
                    FaultyStore::When::after);
  store_->put(request(1, "a"));
  store_->put(request(2, "b"));
  auto r = drain();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].status.error().reason, Reason::store_io);
  EXPECT_TRUE(r[1].status.ok());
  EXPECT_EQ(read_file(folder_->root() / "a"), "bytes of a");  // written all the same
  EXPECT_FALSE(fs::exists(store_->spool_dir() / "t1"));
  EXPECT_EQ(store_->injected(), 1);
}

TEST_F(FaultyStoreTest, AfterModeKeepsTheBaseStoresOwnError) {
  store_->fail_next(1, make_error(Reason::store_io, "injected"), FaultyStore::When::after);
  store_->put(request(1, "../escape"));
  auto r = drain();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status.error().reason, Reason::bad_key);
}

TEST(FaultyStoreBorrowed, WrapsAStoreItDoesNotOwn) {
  TempDir tmp;
  auto folder = FolderStore::open(tmp.path() / "store");
  ASSERT_TRUE(folder.ok());
  {
    FaultyStore faulty(**folder);
    faulty.fail_next(1, make_error(Reason::store_io, "injected"));
    fs::path t = faulty.spool_dir() / "t";
    write_file(t, "x");
    faulty.put(PutRequest{1, t, "k", "", "", 1, ""});
    faulty.put(PutRequest{2, t, "k", "", "", 1, ""});
    auto r = faulty.poll();
    ASSERT_EQ(r.size(), 2u);
    EXPECT_FALSE(r[0].status.ok());
    EXPECT_TRUE(r[1].status.ok());
    EXPECT_EQ(&faulty.base(), folder->get());
  }
  EXPECT_EQ(read_file((*folder)->root() / "k"), "x");  // still usable after the wrapper
}

TEST_F(FaultyStoreTest, CleanSpoolGoesToTheBase) {
  write_file(store_->spool_dir() / "leftover", "x");
  EXPECT_TRUE(store_->clean_spool().ok());
  EXPECT_TRUE(fs::is_empty(store_->spool_dir()));
}

TEST_F(FaultyStoreTest, ProbesFailWhileTheConditionHoldsThenAskTheBase) {
  bool full = true;
  store_->fail_probes([&] { return full; }, make_error(Reason::disk_full, "spool (injected)"));
  Status s = store_->probe_spool();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().reason, Reason::disk_full);
  full = false;
  EXPECT_TRUE(store_->probe_spool().ok());  // the real spool folder, written and cleaned
  EXPECT_TRUE(fs::is_empty(store_->spool_dir()));
  full = true;
  store_->clear_faults();
  EXPECT_TRUE(store_->probe_spool().ok());
  EXPECT_EQ(store_->probes(), 3);
}

}  // namespace
}  // namespace sluice
