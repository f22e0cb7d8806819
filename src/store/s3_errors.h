// How an S3 reply becomes a sluice error (design.md, "Failures", storage row):
//   store_io     - retry later with fetching paused: connection errors, 5xx, SlowDown,
//                  RequestTimeout, a lost multipart upload;
//   store_denied - stop the run with one clear message: wrong credentials, no bucket,
//                  access denied, wrong region, a clock far off, an unsupported server;
//   io           - the bytes sent did not match their sha256: fetch the job again;
//   bad_key      - this key (or this object's metadata) can never be stored.
// Messages name the bucket, the endpoint and where the credentials came from, never a
// secret.
#pragma once

#include <curl/curl.h>

#include <string>
#include <string_view>

#include "store/s3_options.h"
#include "util/error.h"

namespace sluice {

// What one exchange with the server came back with.
struct S3Reply {
  CURLcode curl = CURLE_OK;
  std::string curl_error;     // libcurl's error buffer, if it said more than the code
  long status = 0;            // HTTP status; 0 if no response
  std::string body;           // the start of the response body
  std::string error_header;   // x-amz-error-code (bodiless replies to HEAD)
  std::string bucket_region;  // x-amz-bucket-region
  std::string etag;
  std::string meta_sha256;  // x-amz-meta-sha256

  bool ok() const { return curl == CURLE_OK && status >= 200 && status < 300; }
};

// Who asked and for what, for the message.
struct S3ErrorContext {
  const S3Target* target = nullptr;
  std::string credentials;  // AwsCredentials::describe()
  std::string operation;    // "PUT", "UploadPart 3", "ListObjects", ...
  std::string key;          // the full key, or "" for bucket operations
};

// The reply's S3 error code: <Code> of an XML body, else x-amz-error-code, else one
// derived from the status ("AccessDenied" for 403, "NoSuchBucket" for a bodiless 404 when
// bucket_op, "Http<status>" otherwise). "" for a success.
std::string s3_error_code(const S3Reply& r, bool bucket_op);

// The reason an S3 error code (or failed HTTP status) maps to.
Reason s3_reason(std::string_view code, long status);

// A failed reply as an Error, reason by s3_reason() or, for transport failures, store_io
// (store_denied when TLS verification or the URL itself is at fault).
Error s3_error(const S3Reply& r, const S3ErrorContext& ctx);

}  // namespace sluice
