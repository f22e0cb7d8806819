// The S3 store's own event loop: one thread, one libcurl multi handle, at most
// `concurrency` uploads in flight (each with one request at a time), after curl's
// 10-at-a-time example. put() queues an upload and wakes the loop (curl_multi_wakeup);
// each finished upload's result waits for take_results(), and the notifier runs after
// each one (on the loop thread) so the engine's loop wakes up and polls. Once
// set_notifier() returns, the old notifier never runs again. Public members may be called
// from any thread; running_ and multi_ belong to the loop thread.
//
// A separate thread rather than the engine's loop: the engine's loop is the fetcher's
// multi handle, whose every socket is charged to a provider's connection cap and checked
// against the address policy; S3 traffic must not count against either, and the Store
// interface keeps the engine unaware of how a store does its I/O.
#pragma once

#include <curl/curl.h>

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "store/s3_upload.h"
#include "store/store.h"
#include "util/logger.h"
#include "util/thread_annotations.h"

namespace sluice {

class S3Loop {
 public:
  // ctx and log must outlive the loop. Throws std::runtime_error if libcurl cannot make a
  // multi handle (a start-up failure).
  S3Loop(const S3Context& ctx, int concurrency, Logger* log);
  // Stops the thread; uploads still running are cut off (their temp files stay).
  ~S3Loop();
  S3Loop(const S3Loop&) = delete;
  S3Loop& operator=(const S3Loop&) = delete;

  void submit(PutRequest req);
  std::vector<PutResult> take_results();
  size_t pending() const;  // submitted and not yet taken
  void set_notifier(std::function<void()> fn);
  uint64_t skipped() const;  // puts --skip-existing found already stored

 private:
  struct MultiDeleter {
    void operator()(CURLM* m) const { curl_multi_cleanup(m); }
  };
  struct Running {
    std::unique_ptr<S3Upload> upload;
    std::unique_ptr<S3Exchange> exchange;  // in the multi handle
  };

  void loop();
  void start_queued();
  bool collect_done();  // true if a request finished
  // Adds x to the multi handle for upload u, or completes u when x is null.
  void run(std::unique_ptr<S3Upload> u, std::unique_ptr<S3Exchange> x);
  void complete(const S3Upload& u);

  const S3Context& ctx_;
  const size_t concurrency_;
  Logger* log_;
  std::unique_ptr<CURLM, MultiDeleter> multi_;
  std::unordered_map<CURL*, Running> running_;  // loop thread only

  mutable std::mutex mu_;
  std::deque<PutRequest> queued_ GUARDED_BY(mu_);
  std::vector<PutResult> results_ GUARDED_BY(mu_);
  size_t pending_ GUARDED_BY(mu_) = 0;
  uint64_t skipped_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
  // Held while the notifier runs, and to replace it (Store::set_notifier's teardown
  // contract); never together with mu_.
  std::mutex notify_mu_;
  std::function<void()> notify_ GUARDED_BY(notify_mu_);
  std::thread thread_;
};

}  // namespace sluice
