// A Store that keeps objects as files under a root folder: <root>/<key>.
//
// put() finishes before it returns (its result waits for poll()), or on the worker threads:
// it checks the key again, writes a body held in memory to its temp file (hashing it),
// creates missing parent folders and renames the temp file over <root>/<key> (an atomic
// replace of any older object: a crash never leaves a partial object). No put fsyncs
// anything. Durability (durability.h): with Durability::process that is the whole
// promise (the rename survives a crash of the process); with Durability::power,
// make_durable() runs one syncfs() on the store's file system when objects were stored
// since the last one, so every object reported by poll() before the call is on disk when
// it returns. It walks the key's folders
// with O_NOFOLLOW from a descriptor of the root held since open(), so no key and no
// symbolic link (inside the root or pointing out of it) can make it write outside the
// root; a key whose path passes through a symbolic link is refused with store_denied.
//
// Errors of put(): a local fault (util/local_fault.h: disk_full, read_only, local_denied,
// local_io: the disk filled up, turned read-only, lost a permission or failed; the engine
// pauses fetching and retries once the disk recovers), store_denied (stop the run: a
// symbolic link in the way), bad_key (this key can never be stored here: invalid key, or
// it collides with an existing folder or file; permanent for that job only), io (the temp
// file is missing: fetch again).
//
// What is fatal when: open() refuses a store folder that cannot be written at all
// (permission denied, read-only file system: store_denied) before any job is leased; the
// same faults after a run began are waited out, since a disk can come back.
//
// Not thread-safe: one thread (the engine's) owns it.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "store/durability.h"
#include "store/put_workers.h"
#include "store/store.h"
#include "util/error.h"
#include "util/logger.h"
#include "util/unique_fd.h"

namespace sluice {

// How a folder store makes objects durable. The system calls are replaceable so tests can
// see when they happen; each returns 0 or -1 with errno set, like the call it stands for.
struct FolderSync {
  Durability level = Durability::process;
  std::function<int(int fd)> syncfs;  // empty: ::syncfs
};

class FolderStore final : public Store {
 public:
  // The spool folder, inside the root so renames stay on one file system.
  static constexpr const char* kSpoolName = ".sluice-tmp";

  // Creates root and root/.sluice-tmp as needed and checks that a file can be created in
  // the spool. Errors name the path and the system's message: store_denied when
  // permission is denied or the file system is read-only, store_io otherwise (a full disk
  // is not an error here). log (optional, not owned) hears what clean_spool() removed.
  // threads > 0: puts run on that many worker threads (fsync off the event loop);
  // 0: each put finishes inside put().
  // sync: the durability level (and, for tests, the syncfs call).
  static Result<std::unique_ptr<FolderStore>> open(std::filesystem::path root,
                                                   Logger* log = nullptr, int threads = 0,
                                                   FolderSync sync = {});
  ~FolderStore() override;

  std::filesystem::path spool_dir() const override { return canonical_root_ / kSpoolName; }
  // A body in memory is written to its temp file, hashed and renamed into place on the
  // store's threads (synchronous mode: within put()).
  bool takes_bodies() const override { return true; }
  void put(PutRequest req) override;
  std::vector<PutResult> poll() override;
  size_t in_flight() const override;
  void set_notifier(std::function<void()> fn) override;
  // Durability::power: one syncfs() if any object was stored since the last call (a
  // local fault naming the folder if it fails); Durability::process: nothing.
  Status make_durable() override;
  Status clean_spool() override;
  std::string describe() const override { return "folder " + root_.string(); }

  // Removes everything in spool_dir(); returns how many entries it held.
  Result<size_t> remove_spool_files();

  // The root as given to open(), and as resolved then.
  const std::filesystem::path& root() const { return root_; }
  const std::filesystem::path& canonical_root() const { return canonical_root_; }

 private:
  FolderStore(std::filesystem::path root, std::filesystem::path canonical_root, UniqueFd root_fd,
              Logger* log, FolderSync sync);
  PutResult store(const PutRequest& req);
  // Renames req.temp_file to <root>/<key>.
  Status place(const PutRequest& req);
  // Writes req.body to req.temp_file, readable by all (BodyFile::keep).
  Status write_body(const PutRequest& req);
  // Opens (creating as needed) the folder that holds the key's last segment; the key has
  // at least one '/' (a key without one lives in the root, root_fd_).
  Result<UniqueFd> open_parent(const std::string& key);

  std::filesystem::path root_;
  std::filesystem::path canonical_root_;
  UniqueFd root_fd_;
  Logger* log_;
  FolderSync sync_;
  // Objects renamed into place since the last make_durable(); counted by whichever thread
  // stored them, before their result is published.
  std::atomic<uint64_t> unsynced_{0};
  std::vector<PutResult> done_;          // synchronous mode
  std::unique_ptr<PutWorkers> workers_;  // threaded mode
};

}  // namespace sluice
