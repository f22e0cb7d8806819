// A Store that puts objects into an S3 bucket (Amazon S3 or an S3-compatible server) under
// s3://BUCKET/PREFIX, signing every request with SigV4 (sigv4.h).
//
// open() resolves the address and the credentials and asks the bucket once
// (ListObjects, max-keys=1): wrong credentials, a missing bucket, a wrong region or an
// unreachable endpoint fail there with one clear error, before the engine leases a job.
// Puts run on the store's own thread and multi handle (s3_loop.h), at most
// options.concurrency at once; objects of options.multipart_threshold bytes or more use
// multipart upload. Temp files are spooled in options.spool, a local folder.
//
// describe() and every error name the bucket, the endpoint and the credentials' source,
// never a secret.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "store/s3_exchange.h"
#include "store/s3_loop.h"
#include "store/store.h"
#include "util/logger.h"

namespace sluice {

class S3Store final : public Store {
 public:
  // spec is "s3://BUCKET[/PREFIX]". env supplies the AWS_* variables (process_env() in
  // production). Errors: bad_input (a malformed spec or flag), store_denied (credentials,
  // bucket, permissions, region), store_io (the endpoint cannot be reached).
  static Result<std::unique_ptr<S3Store>> open(const std::string& spec, S3Options options,
                                               const EnvLookup& env, Logger* log = nullptr);
  // As open(), with the context already resolved (tests inject a clock).
  static Result<std::unique_ptr<S3Store>> open(S3Context ctx, Logger* log = nullptr);
  ~S3Store() override;

  std::filesystem::path spool_dir() const override { return spool_; }
  void put(PutRequest req) override { loop_->submit(std::move(req)); }
  std::vector<PutResult> poll() override { return loop_->take_results(); }
  size_t in_flight() const override { return loop_->pending(); }
  void set_notifier(std::function<void()> fn) override { loop_->set_notifier(std::move(fn)); }
  Status clean_spool() override;
  std::string describe() const override { return ctx_->target.describe(); }

  // Puts that --skip-existing found already stored with the same sha256.
  uint64_t skipped() const { return loop_->skipped(); }
  const S3Context& context() const { return *ctx_; }

 private:
  S3Store(std::unique_ptr<S3Context> ctx, std::filesystem::path spool, Logger* log);

  std::unique_ptr<S3Context> ctx_;  // the loop's uploads point into it
  std::filesystem::path spool_;
  Logger* log_;
  std::unique_ptr<S3Loop> loop_;
};

// The check open() makes: ListObjects on the bucket, max-keys=1, under the prefix.
Status check_bucket(const S3Context& ctx);

}  // namespace sluice
