// Key fields the engine fills only when the key template uses them ({url_sha256}, {host},
// the URL path's extension): they must still be right when it does.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/fake_fetcher.h"
#include "gate/local_gate.h"
#include "queue/memory_queue.h"
#include "store/folder_store.h"

namespace sluice {
namespace {

namespace fs = std::filesystem;

class EngineKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("engine-keys-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    auto s = FolderStore::open(root_);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    store_ = std::move(*s);
  }
  void TearDown() override { fs::remove_all(root_); }

  // Runs one job for url whose response has content_type; returns its stored key.
  std::string key_for(const std::string& templ, const std::string& url,
                      const std::string& content_type) {
    EXPECT_TRUE(queue_.enqueue({{"j1", url, "img.test:80"}}, clock_.now_ms()).ok());
    FakeFetcher fetcher(clock_, [&](const FetchRequest&, int) {
      FakeResponse r;
      r.content_type = content_type;
      return r;
    });
    HostLimits limits(2);
    LocalGate gate(limits, CircuitOptions{}, &clock_);
    auto keys = KeyTemplate::parse(templ);
    EXPECT_TRUE(keys.ok());
    Engine engine(queue_, gate, gate, fetcher, *store_, *keys, limits, clock_, log_,
                  EngineOptions{});
    EXPECT_TRUE(engine.run().ok());
    std::string key;
    EXPECT_TRUE(queue_
                    .scan([&](const JobRecord& r) {
                      key = r.manifest.key;
                      return true;
                    })
                    .ok());
    EXPECT_TRUE(fs::exists(root_ / key)) << key;
    return key;
  }

  FakeClock clock_;
  MemoryLogger log_;
  MemoryQueue queue_;
  fs::path root_;
  std::unique_ptr<FolderStore> store_;
};

TEST_F(EngineKeysTest, HostAndUrlHashWhenTheTemplateUsesThem) {
  const std::string url = "http://img.test:80/p/3.jpg";
  EXPECT_EQ(key_for("{host}/{url_sha256}{ext}", url, "image/jpeg"),
            "img.test/" + sha256_hex(url) + ".jpg");
}

TEST_F(EngineKeysTest, ExtensionFromThePathWhenTheTypeNamesNone) {
  EXPECT_EQ(key_for("{id}{ext}", "http://img.test:80/p/3.JPEG?x=1", "image/x-unheard-of"),
            "j1.jpeg");
}

TEST_F(EngineKeysTest, ExtensionFromTheTypeFirst) {
  EXPECT_EQ(key_for("{id}{ext}", "http://img.test:80/p/3.gif", "image/png"), "j1.png");
}

}  // namespace
}  // namespace sluice
