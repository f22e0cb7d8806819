// S3 replies -> sluice reasons and messages: store_io retries, store_denied stops the run
// with what to fix, io refetches, bad_key is permanent for one job; no secret in a message.
#include "store/s3_errors.h"

#include <gtest/gtest.h>

#include "store/s3_xml.h"

namespace sluice {
namespace {

S3Target local_target() {
  S3Target t;
  t.bucket = "photos";
  t.prefix = "p/";
  t.scheme = "http";
  t.host = "127.0.0.1:9000";
  t.endpoint = "http://127.0.0.1:9000";
  t.region = "us-east-1";
  return t;
}

S3Reply xml_reply(long status, const std::string& code) {
  S3Reply r;
  r.status = status;
  r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code +
           "</Code><Message>m &amp; n</Message><RequestId>1</RequestId></Error>";
  return r;
}

Error error_for(const S3Reply& r, const std::string& key = "p/a.jpg") {
  static const S3Target t = local_target();
  return s3_error(r, S3ErrorContext{&t, "access key AKIA...MPLE from the environment", "PUT", key});
}

TEST(S3ErrorTable, CodesMapToReasons) {
  struct Case {
    long status;
    const char* code;
    Reason reason;
  };
  const Case cases[] = {
      {500, "InternalError", Reason::store_io},
      {503, "SlowDown", Reason::store_io},
      {503, "ServiceUnavailable", Reason::store_io},
      {400, "RequestTimeout", Reason::store_io},
      {404, "NoSuchUpload", Reason::store_io},
      {502, "Http502", Reason::store_io},
      {429, "TooManyRequests", Reason::store_io},
      {403, "AccessDenied", Reason::store_denied},
      {403, "InvalidAccessKeyId", Reason::store_denied},
      {403, "SignatureDoesNotMatch", Reason::store_denied},
      {404, "NoSuchBucket", Reason::store_denied},
      {400, "ExpiredToken", Reason::store_denied},
      {403, "RequestTimeTooSkewed", Reason::store_denied},
      {301, "PermanentRedirect", Reason::store_denied},
      {400, "EntityTooSmall", Reason::store_denied},
      {400, "SomethingNew", Reason::store_denied},  // unknown 4xx: stop, do not spin
      {400, "BadDigest", Reason::io},
      {400, "XAmzContentSHA256Mismatch", Reason::io},
      {400, "KeyTooLongError", Reason::bad_key},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(s3_reason(c.code, c.status), c.reason) << c.code;
    EXPECT_EQ(error_for(xml_reply(c.status, c.code)).reason, c.reason) << c.code;
  }
}

TEST(S3ErrorCode, FromBodyHeaderOrStatus) {
  EXPECT_EQ(s3_error_code(xml_reply(403, "InvalidAccessKeyId"), false), "InvalidAccessKeyId");
  S3Reply head;  // HEAD replies have no body
  head.status = 404;
  EXPECT_EQ(s3_error_code(head, true), "NoSuchBucket");
  EXPECT_EQ(s3_error_code(head, false), "Http404");
  head.status = 403;
  EXPECT_EQ(s3_error_code(head, false), "AccessDenied");
  head.error_header = "ExpiredToken";
  EXPECT_EQ(s3_error_code(head, false), "ExpiredToken");
  S3Reply ok;
  ok.status = 200;
  EXPECT_EQ(s3_error_code(ok, false), "");
}

TEST(S3ErrorMessage, NamesTheBucketAndTheFix) {
  Error nb = error_for(xml_reply(404, "NoSuchBucket"), "");
  EXPECT_EQ(nb.detail,
            "bucket 'photos' does not exist at http://127.0.0.1:9000 (NoSuchBucket): "
            "create it or fix --store");
  Error key = error_for(xml_reply(403, "InvalidAccessKeyId"));
  EXPECT_NE(key.detail.find("fix AWS_ACCESS_KEY_ID"), std::string::npos);
  EXPECT_NE(key.detail.find("AKIA...MPLE from the environment"), std::string::npos);
  Error sig = error_for(xml_reply(403, "SignatureDoesNotMatch"));
  EXPECT_NE(sig.detail.find("fix AWS_SECRET_ACCESS_KEY"), std::string::npos);
  S3Reply moved = xml_reply(301, "PermanentRedirect");
  moved.bucket_region = "eu-west-1";
  EXPECT_NE(error_for(moved).detail.find("set --s3-region eu-west-1"), std::string::npos);
  Error slow = error_for(xml_reply(503, "SlowDown"));
  EXPECT_EQ(slow.detail,
            "http://127.0.0.1:9000 answered PUT 'p/a.jpg' on bucket 'photos' "
            "(SlowDown, HTTP 503): m & n");
}

TEST(S3ErrorMessage, TransportFailures) {
  S3Reply refused;
  refused.curl = CURLE_COULDNT_CONNECT;
  refused.curl_error = "Failed to connect to 127.0.0.1 port 9000";
  Error e = error_for(refused);
  EXPECT_EQ(e.reason, Reason::store_io);
  EXPECT_EQ(e.detail,
            "cannot reach http://127.0.0.1:9000 for PUT 'p/a.jpg' (Failed to connect to "
            "127.0.0.1 port 9000)");
  S3Reply tls;
  tls.curl = CURLE_PEER_FAILED_VERIFICATION;
  EXPECT_EQ(error_for(tls).reason, Reason::store_denied);
}

TEST(S3ErrorMessage, NeverCarriesSecretsFromTheReply) {
  // S3's SignatureDoesNotMatch document echoes the string to sign; only Code and Message
  // are ever read, and the credentials appear by source only.
  S3Reply r = xml_reply(403, "SignatureDoesNotMatch");
  r.body.insert(r.body.find("</Error>"), "<StringToSign>AWS4 wJalrSECRET</StringToSign>");
  Error e = error_for(r);
  EXPECT_EQ(e.detail.find("wJalrSECRET"), std::string::npos);
}

TEST(S3Xml, TextOfTheFirstElement) {
  EXPECT_EQ(xml_text("<a><Code>X</Code><Code>Y</Code></a>", "Code"), "X");
  EXPECT_EQ(xml_text("<CodeX>no</CodeX><Code attr=\"1\">yes</Code>", "Code"), "yes");
  EXPECT_EQ(xml_text("<UploadId>a&amp;b&#x41;&#66;&lt;</UploadId>", "UploadId"), "a&bAB<");
  EXPECT_EQ(xml_text("<Code/>", "Code"), "");
  EXPECT_EQ(xml_text("<Code>unterminated", "Code"), std::nullopt);
  EXPECT_EQ(xml_text("", "Code"), std::nullopt);
}

TEST(S3Xml, CompleteMultipartBodyEscapesEtags) {
  EXPECT_EQ(complete_multipart_body({{1, "\"e1\""}, {2, "\"e2\""}}),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;"
            "</ETag></Part><Part><PartNumber>2</PartNumber><ETag>&quot;e2&quot;</ETag></Part>"
            "</CompleteMultipartUpload>");
}

}  // namespace
}  // namespace sluice
