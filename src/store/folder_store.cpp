#include "store/folder_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>

#include "store/fs_error.h"
#include "store/object_key.h"
#include "store/spool_probe.h"
#include "util/body_file.h"
#include "util/local_fault.h"
#include "util/sha256.h"

namespace fs = std::filesystem;

namespace sluice {
namespace {

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

// open() and clean_spool() fail for the whole store: denied or I/O, never a key problem.
Error setup_error(int err, const std::string& what) { return store_setup_error(err, what); }

std::string quoted(const fs::path& p) { return "'" + printable(p.string(), 1200) + "'"; }

}  // namespace

FolderStore::FolderStore(fs::path root, fs::path canonical_root, UniqueFd root_fd, Logger* log,
                         FolderSync sync)
    : root_(std::move(root)),
      canonical_root_(std::move(canonical_root)),
      root_fd_(std::move(root_fd)),
      log_(log),
      sync_(std::move(sync)) {
  if (!sync_.syncfs) sync_.syncfs = [](int fd) { return ::syncfs(fd); };
}

Result<std::unique_ptr<FolderStore>> FolderStore::open(fs::path root, Logger* log, int threads,
                                                       FolderSync sync) {
  if (root.empty()) return make_error(Reason::store_io, "store folder: empty path");
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return setup_error(ec.value(), "cannot create store folder " + quoted(root));
  fs::path canonical = fs::canonical(root, ec);
  if (ec) return setup_error(ec.value(), "cannot resolve store folder " + quoted(root));
  UniqueFd root_fd(::open(canonical.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd.valid()) {
    int err = errno;
    return setup_error(err, "cannot open store folder " + quoted(root));
  }

  fs::path spool = canonical / kSpoolName;
  if (::mkdirat(root_fd.get(), kSpoolName, 0700) != 0 && errno != EEXIST) {
    int err = errno;
    return setup_error(err, "cannot create spool folder " + quoted(spool));
  }
  struct stat st;
  if (::fstatat(root_fd.get(), kSpoolName, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    int err = errno;
    return setup_error(err, "cannot stat spool folder " + quoted(spool));
  }
  if (!S_ISDIR(st.st_mode)) {
    // A link here would let clean_spool() delete files elsewhere.
    return make_error(Reason::store_denied,
                      "spool folder " + quoted(spool) + " is not a folder (" +
                          (S_ISLNK(st.st_mode) ? "a symbolic link" : "a file") +
                          "); remove it and run again");
  }
  // A store that cannot be written at all is a setting to fix, not a fault to wait out:
  // say so now, before any job is leased. A full disk passes (an empty file needs no
  // space); the run waits for it like for a disk that fills up mid-run.
  if (Status w = probe_folder(spool, 0); !w.ok()) {
    const Reason r = w.error().reason;
    if (r == Reason::read_only || r == Reason::local_denied) {
      return make_error(Reason::store_denied,
                        "store folder " + quoted(root) + " cannot be written: " + w.error().detail);
    }
    if (r != Reason::disk_full) {
      return make_error(Reason::store_io,
                        "store folder " + quoted(root) + " cannot be written: " + w.error().detail);
    }
  }
  std::unique_ptr<FolderStore> store(new FolderStore(std::move(root), std::move(canonical),
                                                     std::move(root_fd), log, std::move(sync)));
  if (threads > 0) {
    FolderStore* self = store.get();
    store->workers_ = std::make_unique<PutWorkers>(
        threads, [self](const PutRequest& req) { return self->store(req); });
  }
  return store;
}

FolderStore::~FolderStore() { workers_.reset(); }  // joins before the members go

void FolderStore::put(PutRequest req) {
  if (workers_) {
    workers_->submit(std::move(req));
    return;
  }
  done_.push_back(store(req));
}

std::vector<PutResult> FolderStore::poll() {
  return workers_ ? workers_->take_results() : std::exchange(done_, {});
}

size_t FolderStore::in_flight() const { return workers_ ? workers_->pending() : done_.size(); }

void FolderStore::set_notifier(std::function<void()> fn) {
  if (workers_) workers_->set_notifier(std::move(fn));
}

Result<UniqueFd> FolderStore::open_parent(const std::string& key) {
  UniqueFd dir;  // invalid: the root itself (borrowed, never closed here)
  auto at = [&] { return dir.valid() ? dir.get() : root_fd_.get(); };
  fs::path walked = canonical_root_;
  size_t start = 0;
  for (size_t slash; (slash = key.find('/', start)) != std::string::npos; start = slash + 1) {
    std::string name = key.substr(start, slash - start);
    walked /= name;
    UniqueFd next(::openat(at(), name.c_str(), kDirFlags));
    if (!next.valid() && errno == ENOENT) {
      if (::mkdirat(at(), name.c_str(), 0755) != 0 && errno != EEXIST) {
        int err = errno;
        return store_errno_error(err, "cannot create folder " + quoted(walked));
      }
      next.reset(::openat(at(), name.c_str(), kDirFlags));
    }
    if (!next.valid()) {
      int err = errno;
      struct stat st;
      if ((err == ELOOP || err == ENOTDIR) &&
          ::fstatat(at(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISLNK(st.st_mode)) {
          return make_error(Reason::store_denied,
                            quoted(walked) +
                                " is a symbolic link; the folder store does not "
                                "follow links (key '" +
                                printable(key) + "')");
        }
        return make_error(Reason::bad_key, "key '" + printable(key) + "' needs " + quoted(walked) +
                                               " to be a folder, but it is a file");
      }
      return store_errno_error(err, "cannot open folder " + quoted(walked));
    }
    dir = std::move(next);
  }
  return dir;
}

PutResult FolderStore::store(const PutRequest& req) {
  PutResult r;
  r.tag = req.tag;
  if (Status k = check_object_key(req.key); !k.ok()) {
    r.status = k;
    return r;
  }
  if (req.body) r.status = write_body(req);
  if (r.status.ok()) r.status = place(req);
  if (!r.status.ok()) {
    if (req.body) {
      std::error_code ec;
      // This put's file, or one left at its name that kept create() from making it: either
      // way the caller holds the body, and a retry makes the file again.
      fs::remove(req.temp_file, ec);
    }
    return r;
  }
  if (req.body && req.sha256.empty()) r.sha256 = sha256_hex(*req.body);
  return r;
}

Status FolderStore::write_body(const PutRequest& req) {
  BodyFile file;  // created exclusively: never over a file of someone else's
  Status s = file.create(req.temp_file);
  if (s.ok()) s = file.write(req.body->data(), req.body->size());
  if (s.ok()) s = file.keep();
  return s;  // on failure the file removed what it wrote (body_file.h)
}

Status FolderStore::place(const PutRequest& req) {
  const std::string& key = req.key;
  if (key.substr(0, key.find('/')) == kSpoolName) {
    return make_error(Reason::bad_key,
                      "key '" + printable(key) + "' would be inside the spool folder");
  }
  // check_object_key() rules out every way to climb out ('/' first, '.' and '..' segments,
  // backslashes): the key names a path under the root as it is.
  auto target = [&] { return canonical_root_ / key; };  // for messages only

  // One rename per object, and nothing else for a key without folders: whoever wrote the
  // temp file (the fetcher, or write_body) made it readable (BodyFile::keep), and a key that names
  // an existing folder fails the rename itself (EISDIR).
  UniqueFd parent_fd;
  int parent = root_fd_.get();
  if (key.find('/') != std::string::npos) {
    auto opened = open_parent(key);
    if (!opened.ok()) return opened.error();
    parent_fd = std::move(*opened);
    parent = parent_fd.get();
  }
  const char* name = key.c_str() + (key.rfind('/') + 1);  // npos + 1 == 0
  if (::renameat(AT_FDCWD, req.temp_file.c_str(), parent, name) != 0) {
    int err = errno;
    if (err == EISDIR || err == ENOTEMPTY || err == EEXIST) {
      return make_error(Reason::bad_key, "key '" + printable(key) + "' collides with the folder " +
                                             quoted(target()));
    }
    if (err == ENOENT) {  // the folder is open: the temp file is what is missing
      return make_error(Reason::io, "temp file " + quoted(req.temp_file) +
                                        " is gone; nothing to store (fetch again)");
    }
    Error e = store_errno_error(
        err, "cannot rename " + quoted(req.temp_file) + " to " + quoted(target()));
    if (err == EXDEV) e.detail += " (the temp file must be in " + quoted(spool_dir()) + ")";
    return e;
  }
  unsynced_.fetch_add(1);  // before the result is published (make_durable)
  return {};
}

Status FolderStore::make_durable() {
  if (sync_.level != Durability::power) return {};
  const uint64_t stored = unsynced_.exchange(0);
  if (stored == 0) return {};
  if (sync_.syncfs(root_fd_.get()) != 0) {
    int err = errno;
    unsynced_.fetch_add(stored);  // still not durable: the next call tries again
    return local_errno_error(
        err, "cannot sync the file system of the store folder " + quoted(canonical_root_));
  }
  return {};
}

Result<size_t> FolderStore::remove_spool_files() {
  fs::path spool = spool_dir();
  struct stat st;
  if (::fstatat(root_fd_.get(), kSpoolName, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    int err = errno;
    return setup_error(err, "cannot stat spool folder " + quoted(spool));
  }
  if (!S_ISDIR(st.st_mode)) {
    return make_error(Reason::store_denied,
                      "spool folder " + quoted(spool) + " is no longer a folder; not cleaning it");
  }
  std::error_code ec;
  std::vector<fs::path> entries;
  for (fs::directory_iterator it(spool, ec), end; !ec && it != end; it.increment(ec)) {
    entries.push_back(it->path());
  }
  if (ec) return setup_error(ec.value(), "cannot list spool folder " + quoted(spool));
  for (const fs::path& entry : entries) {
    // remove_all() removes a symbolic link itself, never what it points to.
    fs::remove_all(entry, ec);
    if (ec) return setup_error(ec.value(), "cannot remove " + quoted(entry));
  }
  return entries.size();
}

Status FolderStore::clean_spool() {
  auto removed = remove_spool_files();
  if (!removed.ok()) return removed.error();
  if (log_ && *removed > 0) {
    log_->info("removed " + std::to_string(*removed) + " leftover temp file(s) from " +
               spool_dir().string());
  }
  return {};
}

}  // namespace sluice
