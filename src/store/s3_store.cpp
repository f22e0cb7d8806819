#include "store/s3_store.h"

#include <sys/stat.h>

#include <system_error>
#include <utility>

#include "store/object_key.h"

namespace fs = std::filesystem;

namespace sluice {
namespace {

constexpr const char* kTempSuffix = ".part";  // the engine's temp files: fetch-PID-TAG.part

Status ensure_curl() {
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK) {
    return make_error(Reason::internal, std::string("curl_global_init: ") + curl_easy_strerror(rc));
  }
  return {};
}

std::string quoted(const fs::path& p) { return "'" + printable(p.string(), 1200) + "'"; }

// The spool must be a real folder of ours: a link would let clean_spool() delete elsewhere.
Status check_spool(const fs::path& spool) {
  struct stat st;
  if (::lstat(spool.c_str(), &st) != 0) {
    return make_error(Reason::store_io, "cannot stat spool folder " + quoted(spool));
  }
  if (!S_ISDIR(st.st_mode)) {
    return make_error(Reason::store_denied, "spool folder " + quoted(spool) +
                                                " is not a folder; remove it or pick --s3-spool");
  }
  return {};
}

}  // namespace

Status check_bucket(const S3Context& ctx) {
  // ListObjects (version 1): same permission (s3:ListBucket) and error replies as
  // ListObjectsV2, and s3rver 3.7 cannot make V2's continuation token on Node 20 (DES is
  // gone from OpenSSL 3), so a V2 listing of a non-empty bucket fails there.
  S3Call call;
  call.method = "GET";
  call.operation = "ListObjects";
  call.query = {{"max-keys", "1"}};
  if (!ctx.target.prefix.empty()) call.query.emplace_back("prefix", ctx.target.prefix);
  call.payload_hash = std::string(kEmptySha256);
  S3Exchange x(ctx, std::move(call));
  const S3Reply& r = x.perform();
  if (r.ok()) return {};
  S3ErrorContext ec{&ctx.target, ctx.credentials.describe(), "ListObjects", ""};
  return s3_error(r, ec);
}

S3Store::S3Store(std::unique_ptr<S3Context> ctx, fs::path spool, Logger* log)
    : ctx_(std::move(ctx)), spool_(std::move(spool)), log_(log) {
  loop_ = std::make_unique<S3Loop>(*ctx_, ctx_->options.concurrency, log_);
}

S3Store::~S3Store() {
  uint64_t skipped = loop_->skipped();
  loop_.reset();  // joins the thread before the context goes
  if (log_ && skipped > 0) {
    log_->info("--skip-existing: " + std::to_string(skipped) +
               " object(s) were already stored with the same sha256");
  }
}

Result<std::unique_ptr<S3Store>> S3Store::open(const std::string& spec, S3Options options,
                                               const EnvLookup& env, Logger* log) {
  auto target = resolve_s3_target(spec, options, env);
  if (!target.ok()) return target.error();
  auto creds = load_aws_credentials(env);
  if (!creds.ok()) return creds.error();
  if (options.ca_bundle.empty()) {
    if (auto ca = env("AWS_CA_BUNDLE")) options.ca_bundle = *ca;
  }
  S3Context ctx;
  ctx.target = std::move(*target);
  ctx.credentials = std::move(*creds);
  ctx.options = std::move(options);
  return open(std::move(ctx), log);
}

Result<std::unique_ptr<S3Store>> S3Store::open(S3Context ctx, Logger* log) {
  if (Status st = ensure_curl(); !st.ok()) return st.error();
  S3Options& o = ctx.options;
  if (o.concurrency < 1 || o.part_size < 1 || o.multipart_threshold < 1) {
    return make_error(Reason::bad_input,
                      "--s3-concurrency, --s3-part-size and --s3-multipart-threshold must be > 0");
  }
  Status checked = check_bucket(ctx);
  if (!checked.ok()) return checked.error();

  fs::path spool = o.spool.empty() ? fs::path("./sluice-spool") : o.spool;
  std::error_code ec;
  fs::create_directories(spool, ec);
  if (ec) {
    return make_error(Reason::store_io,
                      "cannot create spool folder " + quoted(spool) + ": " + ec.message());
  }
  if (Status st = check_spool(spool); !st.ok()) return st.error();
  fs::path abs = fs::absolute(spool, ec);
  if (!ec) spool = abs.lexically_normal();

  auto owned = std::make_unique<S3Context>(std::move(ctx));
  return std::unique_ptr<S3Store>(new S3Store(std::move(owned), std::move(spool), log));
}

Status S3Store::clean_spool() {
  if (Status st = check_spool(spool_); !st.ok()) return st;
  std::error_code ec;
  size_t removed = 0;
  std::vector<fs::path> temp_files;
  for (fs::directory_iterator it(spool_, ec), end; !ec && it != end; it.increment(ec)) {
    // Only the engine's temp files: a --s3-spool pointed at a shared folder loses nothing.
    const fs::path& p = it->path();
    if (p.extension() == kTempSuffix && !it->is_directory(ec)) temp_files.push_back(p);
  }
  if (ec) {
    return make_error(Reason::store_io,
                      "cannot list spool folder " + quoted(spool_) + ": " + ec.message());
  }
  for (const fs::path& p : temp_files) {
    if (!fs::remove(p, ec) && ec) {
      return make_error(Reason::store_io, "cannot remove " + quoted(p) + ": " + ec.message());
    }
    ++removed;
  }
  if (log_ && removed > 0) {
    log_->info("removed " + std::to_string(removed) + " leftover temp file(s) from " +
               spool_.string());
  }
  return {};
}

}  // namespace sluice
