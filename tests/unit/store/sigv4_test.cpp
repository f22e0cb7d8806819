// SigV4 against AWS's published examples: the Signature Version 4 test suite (credentials
// AKIDEXAMPLE, 2015-08-30T12:36:00Z, us-east-1, service "service") and the S3 API
// reference's header-signing examples (AKIAIOSFODNN7EXAMPLE, 2013-05-24, examplebucket).
// Each case checks the canonical request, the string to sign and the signature.
#include "store/sigv4.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

const SigV4Key kSuiteKey{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1",
                         "service"};
constexpr const char* kSuiteDate = "20150830T123600Z";
const SigV4Key kS3Key{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                      "us-east-1", "s3"};
constexpr const char* kS3Date = "20130524T000000Z";

SigV4Request suite_get(NameValues query) {
  return SigV4Request{"GET",
                      "/",
                      std::move(query),
                      {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", kSuiteDate}},
                      std::string(kEmptySha256)};
}

TEST(SigV4Suite, GetVanilla) {
  auto s = sigv4_sign(suite_get({}), kSuiteKey, kSuiteDate);
  EXPECT_EQ(s.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(s.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_EQ(s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

// GET /?Param1=value2&Param1=Value1: one name twice, sorted by value (byte order).
TEST(SigV4Suite, GetVanillaQueryOrderKey) {
  auto s =
      sigv4_sign(suite_get({{"Param1", "value2"}, {"Param1", "Value1"}}), kSuiteKey, kSuiteDate);
  EXPECT_EQ(s.canonical_request,
            "GET\n/\nParam1=Value1&Param1=value2\nhost:example.amazonaws.com\n"
            "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "704b4cef673542d84cdff252633f065e8daeba5f168b77116f8b1bcaf3d38f89");
  EXPECT_EQ(s.signature, "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1");
}

// GET /?Param2=value2&Param1=value1: sorted by name, whatever order they were sent in
// (what libcurl 7.88's signer gets wrong, curl issue 9717).
TEST(SigV4Suite, GetVanillaQueryOrderKeyCase) {
  auto s =
      sigv4_sign(suite_get({{"Param2", "value2"}, {"Param1", "value1"}}), kSuiteKey, kSuiteDate);
  EXPECT_EQ(s.canonical_request,
            "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\n"
            "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0");
  EXPECT_EQ(s.signature, "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(SigV4Suite, PostXWwwFormUrlencoded) {
  SigV4Request req{"POST",
                   "/",
                   {},
                   {{"Content-Type", "application/x-www-form-urlencoded"},
                    {"Host", "example.amazonaws.com"},
                    {"X-Amz-Date", kSuiteDate}},
                   to_hex(sha256_raw("Param1=value1"))};
  auto s = sigv4_sign(req, kSuiteKey, kSuiteDate);
  EXPECT_EQ(s.canonical_request,
            "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\n"
            "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "content-type;host;x-amz-date\n"
            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281");
  EXPECT_EQ(s.signature, "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
}

// S3 API reference, "Example: GET Object": the first 10 bytes of test.txt.
TEST(SigV4S3, GetObject) {
  SigV4Request req{"GET",
                   "/test.txt",
                   {},
                   {{"Host", "examplebucket.s3.amazonaws.com"},
                    {"Range", "bytes=0-9"},
                    {"x-amz-content-sha256", std::string(kEmptySha256)},
                    {"x-amz-date", kS3Date}},
                   std::string(kEmptySha256)};
  auto s = sigv4_sign(req, kS3Key, kS3Date);
  EXPECT_EQ(s.canonical_request,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            "\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(s.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

// "Example: PUT Object": test$file.text; '$' is encoded once in the path.
TEST(SigV4S3, PutObject) {
  std::string payload = to_hex(sha256_raw("Welcome to Amazon S3."));
  ASSERT_EQ(payload, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  SigV4Request req{"PUT",
                   "/" + aws_uri_encode("test$file.text", false),
                   {},
                   {{"Host", "examplebucket.s3.amazonaws.com"},
                    {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                    {"x-amz-date", kS3Date},
                    {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                    {"x-amz-content-sha256", payload}},
                   payload};
  auto s = sigv4_sign(req, kS3Key, kS3Date);
  EXPECT_EQ(s.canonical_request,
            "PUT\n/test%24file.text\n\ndate:Fri, 24 May 2013 00:00:00 GMT\n"
            "host:examplebucket.s3.amazonaws.com\n"
            "x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
            "\nx-amz-date:20130524T000000Z\nx-amz-storage-class:REDUCED_REDUNDANCY\n\n"
            "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n"
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
  EXPECT_EQ(s.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

// "Example: GET Bucket Lifecycle": a parameter without a value is "lifecycle=".
TEST(SigV4S3, GetBucketLifecycle) {
  SigV4Request req{"GET",
                   "/",
                   {{"lifecycle", ""}},
                   {{"Host", "examplebucket.s3.amazonaws.com"},
                    {"x-amz-date", kS3Date},
                    {"x-amz-content-sha256", std::string(kEmptySha256)}},
                   std::string(kEmptySha256)};
  auto s = sigv4_sign(req, kS3Key, kS3Date);
  EXPECT_EQ(s.canonical_request.substr(0, 17), "GET\n/\nlifecycle=\n");
  EXPECT_EQ(s.string_to_sign.substr(s.string_to_sign.rfind('\n') + 1),
            "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca");
  EXPECT_EQ(s.signature, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

// "Example: Get Bucket (List Objects)": ?max-keys=2&prefix=J.
TEST(SigV4S3, ListObjects) {
  SigV4Request req{"GET",
                   "/",
                   {{"prefix", "J"}, {"max-keys", "2"}},
                   {{"Host", "examplebucket.s3.amazonaws.com"},
                    {"x-amz-date", kS3Date},
                    {"x-amz-content-sha256", std::string(kEmptySha256)}},
                   std::string(kEmptySha256)};
  auto s = sigv4_sign(req, kS3Key, kS3Date);
  EXPECT_EQ(s.canonical_request.substr(0, 26), "GET\n/\nmax-keys=2&prefix=J\n");
  EXPECT_EQ(s.string_to_sign.substr(s.string_to_sign.rfind('\n') + 1),
            "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7");
  EXPECT_EQ(s.signature, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4Encoding, UnreservedStayOthersAreEncodedOnce) {
  EXPECT_EQ(aws_uri_encode("AZaz09-._~", true), "AZaz09-._~");
  EXPECT_EQ(aws_uri_encode("a b+c$d=e&f%20", true), "a%20b%2Bc%24d%3De%26f%2520");
  EXPECT_EQ(aws_uri_encode("dir/sub dir/x.jpg", false), "dir/sub%20dir/x.jpg");
  EXPECT_EQ(aws_uri_encode("dir/x", true), "dir%2Fx");
  EXPECT_EQ(aws_uri_encode("\xc3\xa9", true), "%C3%A9");  // UTF-8 bytes, upper-case hex
  // S3 paths are not normalised: "." and ".." segments stay as they are.
  EXPECT_EQ(aws_uri_encode("a/./b/../c", false), "a/./b/../c");
}

TEST(SigV4Encoding, MultipartQueryIsSortedAndEncoded) {
  EXPECT_EQ(canonical_query({{"uploadId", "a+b/c="}, {"partNumber", "10"}}),
            "partNumber=10&uploadId=a%2Bb%2Fc%3D");
  EXPECT_EQ(canonical_query({{"uploads", ""}}), "uploads=");
  // Sorted by the encoded name, byte order: upper case before lower case.
  EXPECT_EQ(canonical_query({{"b", "1"}, {"B", "2"}, {"a b", "3"}}), "B=2&a%20b=3&b=1");
}

TEST(SigV4Headers, LowerCaseTrimmedCollapsedAndJoined) {
  auto h = canonical_headers(
      {{"X-Amz-Meta-A", "  two   spaces  "}, {"Host", "h"}, {"x-amz-meta-a", "second"}});
  EXPECT_EQ(h.block, "host:h\nx-amz-meta-a:two spaces,second\n");
  EXPECT_EQ(h.signed_names, "host;x-amz-meta-a");
}

TEST(SigV4Helpers, DatesDigestsAndChecksums) {
  EXPECT_EQ(amz_date(1440938160), "20150830T123600Z");
  EXPECT_EQ(to_hex(sha256_raw("")), kEmptySha256);
  // x-amz-checksum-sha256 is the base64 of the raw digest.
  EXPECT_EQ(sha256_hex_to_base64(kEmptySha256), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(sha256_hex_to_base64("abc"), "");
  EXPECT_EQ(sha256_hex_to_base64(std::string(64, 'g')), "");
}

}  // namespace
}  // namespace sluice
