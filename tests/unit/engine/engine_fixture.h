// What the engine's unit tests share: a fake clock, a memory queue, a folder store in a
// fresh temp folder, options with a fixed seed and short group commits, and helpers that
// add jobs and read the queue and the store back. Each test class sets the options it
// needs in its own SetUp (after EngineFixture::SetUp) and runs the engine its own way.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/fake_fetcher.h"
#include "gate/local_gate.h"
#include "queue/memory_queue.h"
#include "store/folder_store.h"
#include "util/temp_files.h"

namespace sluice {

class EngineFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() / "store";
    auto s = FolderStore::open(root_);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    store_ = std::move(*s);
    opt_.seed = 7;
    opt_.commit_interval_ms = 10;
  }

  // n jobs: id "<id_prefix><i>", URL "<url_prefix><i>.jpg", host key host ("" derives it
  // from the URL).
  void add_jobs(int n, const std::string& id_prefix, const std::string& url_prefix,
                const std::string& host = "") {
    add_jobs(queue_, n, id_prefix, url_prefix, host);
  }
  // The same, into another queue (a test's own Queue wrapper).
  void add_jobs(Queue& queue, int n, const std::string& id_prefix, const std::string& url_prefix,
                const std::string& host = "") {
    std::vector<JobInput> jobs;
    for (int i = 0; i < n; ++i) {
      jobs.push_back(
          {id_prefix + std::to_string(i), url_prefix + std::to_string(i) + ".jpg", host});
    }
    ASSERT_TRUE(queue.enqueue(jobs, clock_.now_ms()).ok());
  }

  std::vector<JobRecord> records() {
    std::vector<JobRecord> out;
    EXPECT_TRUE(queue_
                    .scan([&](const JobRecord& r) {
                      out.push_back(r);
                      return true;
                    })
                    .ok());
    return out;
  }
  StateCounts counts() { return queue_.stats()->all; }
  // The bytes stored under key ("" if there is no such object).
  std::string stored(const std::string& key) const { return testing::read_file(root_ / key); }

  testing::TempDir dir_;
  std::filesystem::path root_;  // the folder store's root
  FakeClock clock_;
  MemoryLogger log_;
  MemoryQueue queue_;
  HostLimits limits_;
  EngineOptions opt_;
  CircuitOptions circuit_;
  KeyTemplate keys_ = *KeyTemplate::parse("{id}{ext}");  // outlives every engine of the test
  std::unique_ptr<FolderStore> store_;
};

}  // namespace sluice
