// One signed HTTP request to S3 on its own libcurl easy handle: built from an S3Call,
// signed with SigV4, its body streamed from a range of a file (never read into memory) or
// from a small string, its reply captured as an S3Reply. Run it on a multi handle (the
// store's loop) or at once with perform() (the check at open).
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <string>

#include "store/aws_credentials.h"
#include "store/s3_errors.h"
#include "store/s3_options.h"
#include "store/sigv4.h"

namespace sluice {

// Everything every request of one store shares.
struct S3Context {
  S3Target target;
  AwsCredentials credentials;
  S3Options options;
  std::function<std::time_t()> now = [] { return std::time(nullptr); };
};

struct S3Call {
  std::string method;        // GET, HEAD, PUT, POST, DELETE
  std::string operation;     // for messages: "PUT", "UploadPart 2", "ListObjects"
  std::string full_key;      // "" for the bucket itself
  NameValues query;          // decoded
  NameValues headers;        // extra headers, sent and signed (Content-Type, x-amz-meta-*)
  std::string payload_hash;  // hex SHA-256 of the body
  std::string memory_body;   // a small body (CompleteMultipartUpload) ...
  int body_fd = -1;          // ... or this many bytes of this file, from body_offset
  uint64_t body_offset = 0;
  uint64_t body_length = 0;
};

class S3Exchange {
 public:
  // Throws std::bad_alloc / std::runtime_error only when libcurl cannot make a handle.
  S3Exchange(const S3Context& ctx, S3Call call);
  ~S3Exchange();
  S3Exchange(const S3Exchange&) = delete;
  S3Exchange& operator=(const S3Exchange&) = delete;

  CURL* easy() const { return easy_.get(); }
  const S3Call& call() const { return call_; }

  // Runs the request to its end on this thread (no multi handle).
  const S3Reply& perform();
  // The multi handle finished the transfer with code: completes reply().
  void finish(CURLcode code);
  const S3Reply& reply() const { return reply_; }
  // Set when reading the body failed (the temp file shrank or could not be read).
  const std::string& body_error() const { return body_error_; }

  // The Authorization value this exchange was signed with (tests).
  const SigV4Signature& signature() const { return signature_; }

 private:
  struct EasyDeleter {
    void operator()(CURL* e) const { curl_easy_cleanup(e); }
  };
  struct ListDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
  };
  static size_t on_write(char* data, size_t size, size_t n, void* self);
  static size_t on_header(char* data, size_t size, size_t n, void* self);
  static size_t on_read(char* buf, size_t size, size_t n, void* self);
  static int on_seek(void* self, curl_off_t offset, int origin);
  void configure(const S3Context& ctx);

  S3Call call_;
  std::unique_ptr<CURL, EasyDeleter> easy_;
  std::unique_ptr<curl_slist, ListDeleter> headers_;
  std::string url_;
  SigV4Signature signature_;
  uint64_t sent_ = 0;  // body bytes handed to libcurl
  S3Reply reply_;
  std::string body_error_;
  char errbuf_[CURL_ERROR_SIZE] = {};
};

// value as a safe header value: control characters and bytes outside ASCII (and spaces,
// unless keep_spaces) become %XX, so no CR/LF can end the header early; cut to at most
// max_bytes.
std::string header_safe(std::string_view value, size_t max_bytes, bool keep_spaces = false);

}  // namespace sluice
