// Where finished downloads go. Backends: FolderStore (folder_store.h); S3 later.
// A put is asynchronous so a slow remote store never blocks the event loop: put()
// starts it, poll() reports what finished. The folder store finishes within put().
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "store/spool_probe.h"
#include "util/error.h"

namespace sluice {

struct PutRequest {
  uint64_t tag = 0;                 // the caller's handle, echoed in PutResult
  std::filesystem::path temp_file;  // a finished, closed file in spool_dir(); consumed
  std::string key;                  // already sanitised (see key_template.h)
  std::string content_type;
  std::string sha256;  // hex, of temp_file's bytes; may be empty with body (see there)
  uint64_t bytes = 0;
  std::string source_url;
  // Only for a store whose takes_bodies() is true: the object's bytes, held in memory.
  // temp_file then does not exist; it is a name in spool_dir() the store may write them to
  // first (and removes again on failure). An empty sha256 asks the store to hash them
  // (PutResult::sha256). The caller keeps its own reference for a retry.
  std::shared_ptr<const std::string> body = nullptr;
};

struct PutResult {
  uint64_t tag = 0;
  // store_io (retry later), a local fault (disk_full, read_only, local_denied, local_io: the
  // folder store's own disk; retry once it recovers) or store_denied (stop the run); also
  // bad_key (this key can never be stored: permanent for the job) and io (the temp file is
  // gone: fetch again).
  Status status;
  std::string sha256 = {};  // on success of a put whose body the store hashed: hex, of it
};

class Store {
 public:
  virtual ~Store() = default;

  // A directory on the same file system as the objects, where the fetcher writes temp
  // files (so a folder store can rename them into place atomically).
  virtual std::filesystem::path spool_dir() const = 0;

  // Starts storing req.temp_file (or req.body) under req.key. On success the temp file is
  // gone and the object is complete; on failure a temp file the caller wrote is left for it
  // to retry or delete (one the store wrote from req.body is removed). Never leaves a
  // partial object under the key.
  virtual void put(PutRequest req) = 0;

  // Whether put() takes PutRequest::body (a body in memory, written and hashed on the
  // store's own threads) rather than only a temp file.
  virtual bool takes_bodies() const { return false; }

  // Results of finished puts, in any order. Does not block.
  virtual std::vector<PutResult> poll() = 0;

  // Puts started and not yet reported by poll().
  virtual size_t in_flight() const = 0;

  // fn runs (on any of the store's threads) when a put finishes, so a caller blocked
  // elsewhere can wake up and poll(). Stores that finish within put() never call it.
  // Teardown contract: once set_notifier returns, the fn it replaced is not running and
  // will never run again, so the caller may then destroy whatever that fn refers to
  // (set_notifier(nullptr) before the engine and its fetcher go: Engine::run does).
  // set_notifier waits for a call of the old fn in progress, so fn must not itself call
  // set_notifier nor wait for the thread that does. Store threads may still run after
  // that (finishing puts until the store is destroyed); they only stop calling back.
  virtual void set_notifier(std::function<void()> fn) { (void)fn; }

  // Whether spool_dir() can take a temp file of about an image's size now (spool_probe.h):
  // what the engine tries, with backoff, while a local fault pauses fetching. Blocks for a
  // small write; call it from the engine's thread.
  [[nodiscard]] virtual Status probe_spool() { return probe_folder(spool_dir(), kProbeBytes); }

  // Makes every object whose put poll() has reported as durable as the store promises
  // (durability.h), so the caller may then record those jobs done. The engine calls it on
  // its thread before each group commit that records jobs done. An error means the
  // objects may not be durable: do not record them. Default: nothing to do (an object is
  // durable once its put succeeded, as on S3).
  [[nodiscard]] virtual Status make_durable() { return {}; }

  // Removes temp files left behind by a crashed run. Call only while holding the run lock.
  virtual Status clean_spool() = 0;

  // Human readable location, e.g. "folder ./sluice-data" (never includes secrets).
  virtual std::string describe() const = 0;
};

}  // namespace sluice
