// The engine does not call Queue::lease while every host it holds jobs for is full: such
// a lease walks the ready line and comes back empty (bench/PROFILE.md, hot spot 4).
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

// A MemoryQueue that counts leases, and those that skipped hosts and found nothing.
class CountingQueue final : public ForwardingQueue {
 public:
  Result<std::vector<Job>> lease(const LeaseRequest& req) override {
    auto r = ForwardingQueue::lease(req);
    ++leases;
    if (r.ok() && r->empty() && !req.skip_hosts.empty()) ++wasted;
    return r;
  }

  int leases = 0;
  int wasted = 0;
};

TEST(EngineLeaseWaste, NoLeaseWhileTheOnlyHostsBufferIsFull) {
  const fs::path root =
      fs::temp_directory_path() / ("engine-lease-waste-" + std::to_string(::getpid()));
  fs::remove_all(root);
  auto store = FolderStore::open(root);
  ASSERT_TRUE(store.ok()) << store.error().to_string();
  FakeClock clock;
  MemoryLogger log;
  CountingQueue queue;
  std::vector<JobInput> in;
  constexpr int kJobs = 400;
  for (int i = 0; i < kJobs; ++i) {
    in.push_back(
        {"j" + std::to_string(i), "http://img.test/" + std::to_string(i) + ".jpg", "img.test:80"});
  }
  ASSERT_TRUE(queue.enqueue(in, clock.now_ms()).ok());
  EngineOptions opt;
  opt.seed = 7;
  opt.per_host_buffer = 4;  // full at 4 jobs (cap 2)
  opt.lease_batch = 16;     // so the engine always wants more than one host's buffer
  opt.commit_interval_ms = 5;
  FakeFetcher fetcher(clock, [](const FetchRequest&, int) { return FakeResponse{}; });
  HostLimits limits(2);
  LocalGate gate(limits, CircuitOptions{}, &clock);
  auto keys = KeyTemplate::parse("{id}{ext}");
  ASSERT_TRUE(keys.ok());
  Engine engine(queue, gate, gate, fetcher, **store, *keys, limits, clock, log, opt);
  ASSERT_TRUE(engine.run().ok());
  EXPECT_EQ(queue.stats()->all.done, static_cast<uint64_t>(kJobs));
  // The first lease that skips the host learns that nothing else is ready; after that,
  // none until the idle poll (1 s; the run takes less in fake time).
  EXPECT_LE(queue.wasted, 1) << "of " << queue.leases << " leases";
  fs::remove_all(root);
}

}  // namespace
}  // namespace sluice
