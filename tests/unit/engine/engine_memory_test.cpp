// Bodies that wait for the store in memory (EngineOptions::memory_body_max, memory_budget):
// the folder store writes and hashes them, the manifest gets the store's sha256, a longer
// body or one past the budget goes through a temp file, and a key that needs the sha256
// before the put keeps every body on disk.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "engine/engine_fixture.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

class EngineMemoryTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    opt_.memory_body_max = 1024;
    opt_.memory_budget = 1 << 20;
  }

  void enqueue(int n) { add_jobs(n, "j-", "http://img.test/p/", "img.test:80"); }

  // Job i's body: over 2,000 bytes for jobs 5 and 10 (over memory_body_max), over 100 for
  // the others (the bytes, then the URL).
  static std::string body_for(const std::string& url) {
    const bool large =
        url.find("/p/5.jpg") != std::string::npos || url.find("/p/10.jpg") != std::string::npos;
    return "\xFF\xD8\xFF " + std::string(large ? 2000 : 100, 'b') + url;
  }

  Status run(FakeFetcher& fetcher, int cap = 6) {
    limits_ = HostLimits(cap);
    LocalGate gate(limits_, circuit_, &clock_);
    Engine engine(queue_, gate, gate, fetcher, *store_, keys_, limits_, clock_, log_, opt_);
    return engine.run();
  }

  FakeFetcher fetcher_{clock_, [](const FetchRequest& r, int) {
                         FakeResponse resp;
                         resp.body = body_for(r.url);
                         return resp;
                       }};

  // Every job done, its object the served bytes, its manifest sha256 theirs.
  void expect_all_stored(size_t n) {
    EXPECT_EQ(counts().done, n);
    for (const auto& r : records()) {
      ASSERT_EQ(r.state, JobState::done) << r.id;
      EXPECT_EQ(stored(r.manifest.key), body_for(r.url)) << r.id;
      EXPECT_EQ(r.manifest.sha256, sha256_hex(body_for(r.url))) << r.id;
      EXPECT_EQ(r.manifest.bytes, body_for(r.url).size()) << r.id;
    }
    EXPECT_TRUE(fs::is_empty(store_->spool_dir()));
  }
};

TEST_F(EngineMemoryTest, BodiesWithinTheLimitWaitInMemoryAndTheStoreHashesThem) {
  enqueue(20);
  ASSERT_TRUE(run(fetcher_).ok());
  const auto& limits = fetcher_.memory_limits();
  ASSERT_EQ(limits.size(), 20u);
  EXPECT_TRUE(std::all_of(limits.begin(), limits.end(), [](uint64_t l) { return l == 1024; }));
  // Jobs 5 and 10 came back through temp files (hashed by the fetcher), the rest in memory.
  expect_all_stored(20);
}

TEST_F(EngineMemoryTest, TheBudgetBoundsTheBodiesInMemoryAndComesBack) {
  opt_.memory_budget = 2 * 1024;  // two transfers' shares
  enqueue(30);
  ASSERT_TRUE(run(fetcher_, 6).ok());
  EXPECT_EQ(fetcher_.max_in_memory(), 2);
  const auto& limits = fetcher_.memory_limits();
  const auto with = std::count(limits.begin(), limits.end(), 1024u);
  // Shares go back when a job is stored: far more than two transfers had one in all.
  EXPECT_GE(with, 10) << "of " << limits.size();
  EXPECT_LT(with, 30);  // and six ran at once, so some went without
  expect_all_stored(30);
}

TEST_F(EngineMemoryTest, AKeyThatNeedsTheSha256KeepsEveryBodyOnDisk) {
  keys_ = *KeyTemplate::parse("{sha256}{ext}");
  enqueue(8);
  ASSERT_TRUE(run(fetcher_).ok());
  for (uint64_t l : fetcher_.memory_limits()) EXPECT_EQ(l, 0u);
  for (const auto& r : records()) {
    EXPECT_EQ(r.manifest.key, sha256_hex(body_for(r.url)) + ".jpg") << r.id;
  }
  expect_all_stored(8);
}

TEST_F(EngineMemoryTest, ALimitOfZeroKeepsEveryBodyOnDisk) {
  opt_.memory_body_max = 0;
  enqueue(8);
  ASSERT_TRUE(run(fetcher_).ok());
  for (uint64_t l : fetcher_.memory_limits()) EXPECT_EQ(l, 0u);
  expect_all_stored(8);
}

}  // namespace
}  // namespace sluice
