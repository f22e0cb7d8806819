// Idle libcurl easy handles, configured once (configure_easy plus the callbacks every
// Transfer uses) and reused transfer after transfer, instead of a new handle per download:
// curl_easy_init, two dozen setopts and curl_easy_cleanup per image were ~10 % of the CPU
// per image on the raw benchmark (bench/PROFILE.md). A handle keeps its options between
// uses; Transfer sets what is its own (the pointers to itself, the URL, the timeout).
//
// One thread (the fetcher's) uses a pool. It must outlive every handle it hands out, and
// a handle must be out of any multi handle when it comes back.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <vector>

#include "fetch/fetcher.h"
#include "util/error.h"

namespace sluice {

class EasyPool {
 public:
  // options (not owned) must outlive the pool; close_data is CURLOPT_CLOSESOCKETDATA
  // (the SocketBook that every connection reports its close to).
  EasyPool(const FetchOptions& options, void* close_data);
  ~EasyPool();
  EasyPool(const EasyPool&) = delete;
  EasyPool& operator=(const EasyPool&) = delete;

  // Returns a handle to this pool when its owner lets go of it.
  struct Return {
    EasyPool* pool = nullptr;
    void operator()(CURL* easy) const;
  };
  using Handle = std::unique_ptr<CURL, Return>;

  // An idle handle, or a new configured one; an error if libcurl cannot make one.
  Result<Handle> take();

  size_t idle() const { return idle_.size(); }
  size_t created() const { return created_; }

 private:
  void give(CURL* easy);

  const FetchOptions& options_;
  void* close_data_;
  std::vector<CURL*> idle_;
  size_t created_ = 0;
};

}  // namespace sluice
