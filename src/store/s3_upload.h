// One put into S3 as a sequence of requests, one at a time:
//
//   [HEAD object (--skip-existing): done if its x-amz-meta-sha256 matches]
//   small object:  PUT object, streamed from the temp file
//   large object:  CreateMultipartUpload, UploadPart 1..N (each a range of the temp file,
//                  its own x-amz-content-sha256), CompleteMultipartUpload;
//                  AbortMultipartUpload if a step fails
//
// Every object carries Content-Type, x-amz-meta-source-url and x-amz-meta-sha256; the
// single PUT also x-amz-checksum-sha256, and its signed x-amz-content-sha256 is the hash
// the fetcher computed, so the server rejects bytes that changed on disk. On success the
// temp file is removed; on failure it is left for the engine's retry.
//
// The loop (s3_loop.h) drives it: start() gives the first exchange, each reply gives the
// next, until done(). Not thread-safe: the loop's thread owns it.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "store/s3_exchange.h"
#include "store/store.h"
#include "util/unique_fd.h"
#include "util/logger.h"

namespace sluice {

class S3Upload {
 public:
  // ctx (and log, if given) must outlive the upload.
  S3Upload(const S3Context& ctx, PutRequest req, Logger* log);

  // The first request, or null when the put already failed (temp file unreadable).
  std::unique_ptr<S3Exchange> start();
  // Takes the finished exchange's reply; returns the next request, or null when done.
  std::unique_ptr<S3Exchange> next(const S3Exchange& finished);

  // Ends the put with e (the temp file stays), whatever step it was at.
  void abandon(Error e) { finish(std::move(e)); }

  bool done() const { return done_; }
  PutResult result() const { return PutResult{req_.tag, status_}; }
  bool skipped() const { return skipped_; }  // --skip-existing found the same object
  const PutRequest& request() const { return req_; }

 private:
  enum class Step { head, put, create, part, complete, abort };

  std::unique_ptr<S3Exchange> begin_upload();
  std::unique_ptr<S3Exchange> make(S3Call call);
  std::unique_ptr<S3Exchange> part_call();
  std::unique_ptr<S3Exchange> abort_call(Error why);
  std::unique_ptr<S3Exchange> finish(Status status);
  S3Call base_call(std::string method, std::string operation) const;
  void add_object_headers(S3Call& call) const;
  Error error_of(const S3Exchange& x) const;

  const S3Context& ctx_;
  PutRequest req_;
  Logger* log_;
  std::string full_key_;
  UniqueFd fd_;
  uint64_t size_ = 0;
  Step step_ = Step::put;
  // Multipart state.
  std::string upload_id_;
  uint64_t part_size_ = 0;
  int part_count_ = 0;
  int part_ = 0;  // the part being sent, 1-based
  std::vector<std::pair<int, std::string>> etags_;
  Error pending_error_;  // why an abort is running
  bool done_ = false;
  bool skipped_ = false;
  Status status_;
};

}  // namespace sluice
