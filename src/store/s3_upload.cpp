#include "store/s3_upload.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "store/object_key.h"
#include "store/s3_xml.h"
#include "util/sha256.h"

namespace sluice {
namespace {

constexpr size_t kMaxSourceUrlHeader = 1024;  // user metadata is limited to 2 KB in all
constexpr int kMaxParts = 10'000;

bool is_sha256_hex(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

S3Upload::S3Upload(const S3Context& ctx, PutRequest req, Logger* log)
    : ctx_(ctx), req_(std::move(req)), log_(log), full_key_(ctx.target.object_key(req_.key)) {}

S3Call S3Upload::base_call(std::string method, std::string operation) const {
  S3Call c;
  c.method = std::move(method);
  c.operation = std::move(operation);
  c.full_key = full_key_;
  c.payload_hash = std::string(kEmptySha256);
  return c;
}

void S3Upload::add_object_headers(S3Call& call) const {
  call.headers.emplace_back("content-type", req_.content_type.empty()
                                                ? "application/octet-stream"
                                                : header_safe(req_.content_type, 256, true));
  call.headers.emplace_back("x-amz-meta-source-url",
                            header_safe(req_.source_url, kMaxSourceUrlHeader));
  if (is_sha256_hex(req_.sha256)) call.headers.emplace_back("x-amz-meta-sha256", req_.sha256);
}

std::unique_ptr<S3Exchange> S3Upload::make(S3Call call) {
  return std::make_unique<S3Exchange>(ctx_, std::move(call));
}

Error S3Upload::error_of(const S3Exchange& x) const {
  if (!x.body_error().empty()) {
    return make_error(Reason::io, x.body_error() + " (" + req_.temp_file.string() + ")");
  }
  S3ErrorContext ec{&ctx_.target, ctx_.credentials.describe(), x.call().operation, full_key_};
  return s3_error(x.reply(), ec);
}

std::unique_ptr<S3Exchange> S3Upload::start() {
  if (Status st = check_object_key(req_.key); !st.ok()) return finish(st);
  fd_.reset(::open(req_.temp_file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st;
  if (!fd_.valid() || ::fstat(fd_.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    int err = fd_.valid() ? EINVAL : errno;
    // Nothing to upload: the engine fetches the job again.
    return finish(make_error(Reason::io, "cannot open temp file '" + req_.temp_file.string() +
                                             "': " + std::strerror(err)));
  }
  size_ = static_cast<uint64_t>(st.st_size);
  if (ctx_.options.skip_existing && is_sha256_hex(req_.sha256)) {
    step_ = Step::head;
    return make(base_call("HEAD", "HEAD"));
  }
  return begin_upload();
}

std::unique_ptr<S3Exchange> S3Upload::begin_upload() {
  const S3Options& o = ctx_.options;
  if (size_ == 0 || size_ < o.multipart_threshold) {
    step_ = Step::put;
    S3Call c = base_call("PUT", "PUT");
    add_object_headers(c);
    if (is_sha256_hex(req_.sha256)) {
      c.payload_hash = req_.sha256;
      c.headers.emplace_back("x-amz-checksum-sha256", sha256_hex_to_base64(req_.sha256));
    } else {
      c.payload_hash = "UNSIGNED-PAYLOAD";
    }
    c.body_fd = fd_.get();
    c.body_length = size_;
    return make(std::move(c));
  }
  part_size_ = std::max<uint64_t>(o.part_size, (size_ + kMaxParts - 1) / kMaxParts);
  part_count_ = static_cast<int>((size_ + part_size_ - 1) / part_size_);
  etags_.clear();
  step_ = Step::create;
  S3Call c = base_call("POST", "CreateMultipartUpload");
  c.query.emplace_back("uploads", "");
  add_object_headers(c);
  return make(std::move(c));
}

std::unique_ptr<S3Exchange> S3Upload::part_call() {
  step_ = Step::part;
  uint64_t offset = static_cast<uint64_t>(part_ - 1) * part_size_;
  uint64_t length = std::min(part_size_, size_ - offset);
  // Each part is signed with its own hash, so the server checks every byte range.
  Sha256 h;
  std::vector<char> buf(1 << 20);
  for (uint64_t done = 0; done < length;) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), length - done));
    ssize_t got = ::pread(fd_.get(), buf.data(), want, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      Error e = make_error(Reason::io,
                           "cannot read temp file '" + req_.temp_file.string() +
                               "': " + (got == 0 ? "shorter than fetched" : std::strerror(errno)));
      return abort_call(e);
    }
    h.update(buf.data(), static_cast<size_t>(got));
    done += static_cast<uint64_t>(got);
  }
  S3Call c = base_call("PUT", "UploadPart " + std::to_string(part_));
  c.query = {{"partNumber", std::to_string(part_)}, {"uploadId", upload_id_}};
  c.payload_hash = h.final_hex();
  c.body_fd = fd_.get();
  c.body_offset = offset;
  c.body_length = length;
  return make(std::move(c));
}

std::unique_ptr<S3Exchange> S3Upload::abort_call(Error why) {
  pending_error_ = std::move(why);
  step_ = Step::abort;
  S3Call c = base_call("DELETE", "AbortMultipartUpload");
  c.query.emplace_back("uploadId", upload_id_);
  return make(std::move(c));
}

std::unique_ptr<S3Exchange> S3Upload::finish(Status status) {
  done_ = true;
  status_ = std::move(status);
  if (status_.ok()) {
    fd_.reset();
    if (::unlink(req_.temp_file.c_str()) != 0 && errno != ENOENT && log_) {
      log_->warn("cannot remove temp file " + req_.temp_file.string() + ": " +
                 std::strerror(errno));
    }
  }
  return nullptr;
}

std::unique_ptr<S3Exchange> S3Upload::next(const S3Exchange& x) {
  const S3Reply& r = x.reply();
  switch (step_) {
    case Step::head:
      if (r.ok() && r.meta_sha256 == req_.sha256) {
        skipped_ = true;
        return finish(Status());
      }
      if (r.ok() || (r.curl == CURLE_OK && r.status == 404)) return begin_upload();
      return finish(error_of(x));
    case Step::put:
      return finish(r.ok() ? Status() : Status(error_of(x)));
    case Step::create: {
      if (!r.ok()) return finish(error_of(x));
      upload_id_ = xml_text(r.body, "UploadId").value_or("");
      if (upload_id_.empty()) {
        return finish(make_error(Reason::store_io, ctx_.target.endpoint +
                                                       " sent no UploadId "
                                                       "for CreateMultipartUpload '" +
                                                       printable(full_key_) + "'"));
      }
      part_ = 1;
      return part_call();
    }
    case Step::part:
      if (!r.ok()) return abort_call(error_of(x));
      if (r.etag.empty()) {
        return abort_call(make_error(Reason::store_io, ctx_.target.endpoint +
                                                           " sent no ETag "
                                                           "for part " +
                                                           std::to_string(part_)));
      }
      etags_.emplace_back(part_, r.etag);
      if (part_ < part_count_) {
        ++part_;
        return part_call();
      } else {
        step_ = Step::complete;
        S3Call c = base_call("POST", "CompleteMultipartUpload");
        c.query.emplace_back("uploadId", upload_id_);
        c.memory_body = complete_multipart_body(etags_);
        c.headers.emplace_back("content-type", "application/xml");
        c.payload_hash = sha256_hex(c.memory_body);
        return make(std::move(c));
      }
    case Step::complete: {
      // S3 may answer 200 and then report an error in the body.
      auto code = r.ok() ? xml_text(r.body, "Code") : std::nullopt;
      if (r.ok() && !code && r.body.find("<Error") == std::string::npos) return finish(Status());
      S3Reply failed = r;
      if (r.ok()) failed.status = 500;
      S3ErrorContext ec{&ctx_.target, ctx_.credentials.describe(), x.call().operation, full_key_};
      return abort_call(s3_error(failed, ec));
    }
    case Step::abort:
      if (!r.ok() && log_) {
        log_->warn("could not abort the multipart upload of '" + printable(full_key_) + "' (" +
                   error_of(x).to_string() +
                   "); a lifecycle rule "
                   "(AbortIncompleteMultipartUpload) cleans such parts up");
      }
      return finish(pending_error_);
  }
  return finish(make_error(Reason::internal, "S3 upload in an unknown state"));
}

}  // namespace sluice
