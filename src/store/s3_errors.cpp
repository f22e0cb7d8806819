#include "store/s3_errors.h"

#include <array>

#include "store/object_key.h"
#include "store/s3_xml.h"

namespace sluice {
namespace {

struct CodeReason {
  std::string_view code;
  Reason reason;
};

// Codes whose reason differs from what their HTTP status alone would say, and the common
// ones, so the table reads as documentation.
constexpr std::array<CodeReason, 33> kCodes = {{
    {"InternalError", Reason::store_io},
    {"ServiceUnavailable", Reason::store_io},
    {"SlowDown", Reason::store_io},
    {"RequestTimeout", Reason::store_io},
    {"OperationAborted", Reason::store_io},
    {"NoSuchUpload", Reason::store_io},  // the multipart upload vanished: start over
    {"InvalidPart", Reason::store_io},
    {"InvalidPartOrder", Reason::store_io},
    {"RequestTimeTooSkewed", Reason::store_denied},
    {"AccessDenied", Reason::store_denied},
    {"AllAccessDisabled", Reason::store_denied},
    {"AccountProblem", Reason::store_denied},
    {"InvalidAccessKeyId", Reason::store_denied},
    {"SignatureDoesNotMatch", Reason::store_denied},
    {"InvalidToken", Reason::store_denied},
    {"ExpiredToken", Reason::store_denied},
    {"TokenRefreshRequired", Reason::store_denied},
    {"NoSuchBucket", Reason::store_denied},
    {"InvalidBucketName", Reason::store_denied},
    {"PermanentRedirect", Reason::store_denied},
    {"AuthorizationHeaderMalformed", Reason::store_denied},
    {"IllegalLocationConstraintException", Reason::store_denied},
    {"EntityTooSmall", Reason::store_denied},
    {"NotImplemented", Reason::store_denied},
    {"MethodNotAllowed", Reason::store_denied},
    {"BadDigest", Reason::io},  // the temp file no longer matches its sha256
    {"XAmzContentSHA256Mismatch", Reason::io},
    {"InvalidDigest", Reason::io},
    {"IncompleteBody", Reason::io},
    {"KeyTooLongError", Reason::bad_key},
    {"InvalidURI", Reason::bad_key},
    {"MetadataTooLarge", Reason::bad_key},
    {"InvalidObjectName", Reason::bad_key},
}};

std::string short_message(const S3Reply& r) {
  auto m = xml_text(r.body, "Message");
  return m && !m->empty() ? ": " + printable(*m, 200) : "";
}

}  // namespace

std::string s3_error_code(const S3Reply& r, bool bucket_op) {
  if (r.curl != CURLE_OK || (r.status >= 200 && r.status < 300)) return "";
  if (auto code = xml_text(r.body, "Code"); code && !code->empty()) return *code;
  if (!r.error_header.empty()) return r.error_header;
  if (r.status == 403) return "AccessDenied";
  if (r.status == 404 && bucket_op) return "NoSuchBucket";
  if (r.status == 301) return "PermanentRedirect";
  if (r.status == 503) return "SlowDown";
  return "Http" + std::to_string(r.status);
}

Reason s3_reason(std::string_view code, long status) {
  for (const auto& c : kCodes) {
    if (c.code == code) return c.reason;
  }
  if (status >= 500 || status == 408 || status == 429) return Reason::store_io;
  // Any other refusal would most likely repeat for every object: stop and say so rather
  // than retry forever.
  return Reason::store_denied;
}

Error s3_error(const S3Reply& r, const S3ErrorContext& ctx) {
  const S3Target& t = *ctx.target;
  std::string what = ctx.operation + (ctx.key.empty() ? "" : " '" + printable(ctx.key) + "'");
  std::string bucket = "bucket '" + t.bucket + "'";
  if (r.curl != CURLE_OK) {
    std::string why = r.curl_error.empty() ? curl_easy_strerror(r.curl) : r.curl_error;
    switch (r.curl) {
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_CERTPROBLEM:
        return make_error(Reason::store_denied,
                          "TLS verification of " + t.endpoint + " failed (" + why +
                              "): fix --s3-endpoint or point AWS_CA_BUNDLE at its CA");
      case CURLE_UNSUPPORTED_PROTOCOL:
      case CURLE_URL_MALFORMAT:
        return make_error(Reason::store_denied, "bad S3 endpoint " + t.endpoint + ": " + why);
      default:
        return make_error(Reason::store_io,
                          "cannot reach " + t.endpoint + " for " + what + " (" + why + ")");
    }
  }
  std::string code = s3_error_code(r, ctx.key.empty());
  Reason reason = s3_reason(code, r.status);
  std::string tag = " (" + code + ", HTTP " + std::to_string(r.status) + ")";
  std::string at = " at " + t.endpoint;
  std::string creds = "; " + ctx.credentials;
  std::string detail;
  if (code == "NoSuchBucket") {
    detail = bucket + " does not exist" + at + " (NoSuchBucket): create it or fix --store";
  } else if (code == "InvalidAccessKeyId") {
    detail = "the access key id is not known" + at + " (InvalidAccessKeyId" + creds +
             "): fix AWS_ACCESS_KEY_ID or the credentials profile";
  } else if (code == "SignatureDoesNotMatch") {
    detail = "the secret key does not match the access key" + at + " (SignatureDoesNotMatch" +
             creds + "): fix AWS_SECRET_ACCESS_KEY or the credentials profile";
  } else if (code == "InvalidToken" || code == "ExpiredToken" || code == "TokenRefreshRequired") {
    detail =
        "the session token was refused" + at + " (" + code + creds + "): refresh AWS_SESSION_TOKEN";
  } else if (code == "AccessDenied" || code == "AllAccessDisabled" || code == "AccountProblem") {
    detail = "access denied to " + bucket + at + " for " + what + " (" + code + creds +
             "): grant s3:ListBucket and s3:PutObject (and s3:GetObject for --skip-existing), "
             "or use other credentials";
  } else if (code == "RequestTimeTooSkewed") {
    detail = "this machine's clock is more than 15 minutes off the clock of " + t.endpoint +
             " (RequestTimeTooSkewed): fix the clock";
  } else if (code == "PermanentRedirect" || code == "AuthorizationHeaderMalformed" ||
             code == "IllegalLocationConstraintException") {
    std::string region = r.bucket_region;
    if (region.empty()) region = printable(xml_text(r.body, "Region").value_or(""), 40);
    detail = bucket + " is not in region '" + t.region + "'" + at + " (" + code + ")" +
             (region.empty() ? ": set --s3-region to the bucket's region"
                             : ": it is in " + region + "; set --s3-region " + region);
  } else if (code == "EntityTooSmall") {
    detail = t.endpoint +
             " refused a multipart part as too small (EntityTooSmall): raise "
             "--s3-part-size to at least 5 MiB";
  } else if (reason == Reason::io) {
    detail = t.endpoint + " found the bytes sent for " + what + " differ from their sha256" + tag +
             ": the temp file changed; fetching again";
  } else if (reason == Reason::bad_key) {
    detail = t.endpoint + " refused " + what + tag + short_message(r);
  } else {
    detail = t.endpoint + " answered " + what + " on " + bucket + tag + short_message(r);
  }
  return make_error(reason, detail);
}

}  // namespace sluice
