// Multipart uploads against the scripted bucket: Create, UploadPart with sorted
// ?partNumber=&uploadId= query and per-part sha256, Complete with the parts' ETags; a
// failing part aborts the upload and leaves the temp file.
#include <gtest/gtest.h>

#include <filesystem>

#include "store/s3_store_fixture.h"

namespace sluice {
namespace {

using testing::FakeReply;
using testing::FakeRequest;
using testing::S3StoreTest;

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i * 7 % 26);
  return s;
}

S3Options small_parts() {
  S3Options o;
  o.multipart_threshold = 1000;
  o.part_size = 4096;
  return o;
}

TEST_F(S3StoreTest, LargeObjectsGoUpInParts) {
  auto store = open(small_parts());
  ASSERT_TRUE(store.ok()) << store.error().to_string();
  std::string bytes = pattern(10000);  // 4096 + 4096 + 1808
  PutRequest req = temp(**store, "big.bin", bytes);
  (*store)->put(req);
  auto r = results(**store, 1);
  ASSERT_TRUE(r[0].status.ok()) << r[0].status.error().to_string();
  EXPECT_FALSE(std::filesystem::exists(req.temp_file));
  EXPECT_EQ(bucket_.objects["/bucket/pre/big.bin"], bytes);
  EXPECT_EQ(bucket_.meta["/bucket/pre/big.bin"]["x-amz-meta-sha256"], req.sha256);

  auto reqs = server_.requests();
  ASSERT_EQ(reqs.size(), 1 + 1 + 3 + 1u);  // check, create, 3 parts, complete
  EXPECT_EQ(reqs[1].method + " " + reqs[1].target, "POST /bucket/pre/big.bin?uploads=");
  EXPECT_EQ(reqs[1].header("content-type"), "image/jpeg");
  for (int n = 1; n <= 3; ++n) {
    const FakeRequest& part = reqs[1 + n];
    EXPECT_EQ(part.method + " " + part.target,
              "PUT /bucket/pre/big.bin?partNumber=" + std::to_string(n) + "&uploadId=up%2B1%2F%3D");
    EXPECT_EQ(part.body, bytes.substr((n - 1) * 4096, 4096));
    EXPECT_EQ(part.header("x-amz-content-sha256"), sha256_hex(part.body));
  }
  EXPECT_EQ(reqs[5].method + " " + reqs[5].target,
            "POST /bucket/pre/big.bin?uploadId=up%2B1%2F%3D");
  EXPECT_EQ(reqs[5].body,
            "<CompleteMultipartUpload>"
            "<Part><PartNumber>1</PartNumber><ETag>&quot;part1&quot;</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>&quot;part2&quot;</ETag></Part>"
            "<Part><PartNumber>3</PartNumber><ETag>&quot;part3&quot;</ETag></Part>"
            "</CompleteMultipartUpload>");
  EXPECT_EQ(bucket_.bad_signatures, 0);
}

TEST_F(S3StoreTest, AFailedPartAbortsTheUpload) {
  auto store = open(small_parts());
  ASSERT_TRUE(store.ok());
  bucket_.fail = [](const FakeRequest& r) -> std::optional<FakeReply> {
    if (r.target.find("partNumber=2") == std::string::npos) return std::nullopt;
    return FakeReply{500, "<Error><Code>InternalError</Code></Error>", {}};
  };
  PutRequest req = temp(**store, "big.bin", pattern(10000));
  (*store)->put(req);
  auto r = results(**store, 1);
  ASSERT_FALSE(r[0].status.ok());
  EXPECT_EQ(r[0].status.error().reason, Reason::store_io);
  EXPECT_NE(r[0].status.error().detail.find("UploadPart 2"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(req.temp_file));
  auto last = server_.requests().back();
  EXPECT_EQ(last.method + " " + last.target, "DELETE /bucket/pre/big.bin?uploadId=up%2B1%2F%3D");
  EXPECT_EQ(bucket_.objects.count("/bucket/pre/big.bin"), 0u);
}

TEST_F(S3StoreTest, AnErrorInsideA200CompleteIsAFailure) {
  auto store = open(small_parts());
  ASSERT_TRUE(store.ok());
  bucket_.fail = [](const FakeRequest& r) -> std::optional<FakeReply> {
    if (r.method != "POST" || r.target.find("uploadId=") == std::string::npos) return std::nullopt;
    return FakeReply{200, "<Error><Code>InternalError</Code><Message>x</Message></Error>", {}};
  };
  PutRequest req = temp(**store, "big.bin", pattern(5000));
  (*store)->put(req);
  auto r = results(**store, 1);
  ASSERT_FALSE(r[0].status.ok());
  EXPECT_EQ(r[0].status.error().reason, Reason::store_io);
  EXPECT_EQ(server_.requests().back().method, "DELETE");
}

}  // namespace
}  // namespace sluice
