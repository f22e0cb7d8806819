// S3Store against a scripted in-memory bucket: the open-time check, single PUTs with their
// metadata and signatures, failures as store_io / store_denied / io, --skip-existing,
// bounded concurrency, the spool, and no secret in describe() or any error.
#include "store/s3_store.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>

#include "store/s3_store_fixture.h"

namespace sluice {
namespace {

using testing::FakeReply;
using testing::FakeRequest;
using testing::kTestSecret;
using testing::S3StoreTest;

FakeReply s3_error_reply(int status, const std::string& code) {
  return {status, "<Error><Code>" + code + "</Code><Message>no</Message></Error>", {}};
}

TEST_F(S3StoreTest, OpenChecksTheBucketAndRefusesWithOneClearError) {
  bucket_.fail = [](const FakeRequest&) { return s3_error_reply(403, "InvalidAccessKeyId"); };
  auto denied = open();
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().reason, Reason::store_denied);
  EXPECT_NE(denied.error().detail.find("InvalidAccessKeyId"), std::string::npos);
  EXPECT_EQ(denied.error().detail.find(kTestSecret), std::string::npos);

  bucket_.fail = [](const FakeRequest&) { return s3_error_reply(404, "NoSuchBucket"); };
  auto missing = open();
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().detail, "bucket 'bucket' does not exist at " + server_.url() +
                                        " (NoSuchBucket): create it or fix --store");
  ASSERT_EQ(bucket_.bad_signatures, 0);
  auto list = server_.requests().back();
  EXPECT_EQ(list.method, "GET");
  EXPECT_EQ(list.target, "/bucket?max-keys=1&prefix=pre%2F");
}

TEST_F(S3StoreTest, PutStreamsTheTempFileWithItsMetadata) {
  auto store = open();
  ASSERT_TRUE(store.ok()) << store.error().to_string();
  std::mutex mu;
  std::condition_variable cv;
  int notified = 0;
  (*store)->set_notifier([&] {
    std::lock_guard<std::mutex> lock(mu);
    ++notified;
    cv.notify_all();
  });
  std::string bytes(5000, 'x');
  PutRequest req = temp(**store, "dir/a b+c.jpg", bytes);
  (*store)->put(req);
  {
    std::unique_lock<std::mutex> lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return notified > 0; }));
  }
  auto results = this->results(**store, 1);
  ASSERT_TRUE(results[0].status.ok()) << results[0].status.error().to_string();
  EXPECT_EQ(results[0].tag, req.tag);
  EXPECT_FALSE(std::filesystem::exists(req.temp_file));  // the Store contract
  EXPECT_EQ((*store)->in_flight(), 0u);

  EXPECT_EQ(bucket_.objects["/bucket/pre/dir/a%20b%2Bc.jpg"], bytes);
  FakeRequest put = server_.requests().back();
  EXPECT_EQ(put.method, "PUT");
  EXPECT_EQ(put.target, "/bucket/pre/dir/a%20b%2Bc.jpg");
  EXPECT_EQ(put.header("content-type"), "image/jpeg");
  EXPECT_EQ(put.header("x-amz-meta-source-url"), "http://provider.test/img/%C3%A4%201.jpg");
  EXPECT_EQ(put.header("x-amz-meta-sha256"), req.sha256);
  EXPECT_EQ(put.header("x-amz-content-sha256"), req.sha256);
  EXPECT_EQ(put.header("x-amz-checksum-sha256"), sha256_hex_to_base64(req.sha256));
  EXPECT_NE(put.header("authorization")
                .find("SignedHeaders=content-type;host;x-amz-checksum-sha256;"
                      "x-amz-content-sha256;x-amz-date;x-amz-meta-sha256;x-amz-meta-source-url"),
            std::string::npos);
  EXPECT_EQ(bucket_.bad_signatures, 0);
}

TEST_F(S3StoreTest, FailuresKeepTheTempFileAndSayWhatToDo) {
  auto store = open();
  ASSERT_TRUE(store.ok());
  std::string next = "SlowDown";
  bucket_.fail = [&next](const FakeRequest& r) -> std::optional<FakeReply> {
    if (r.method != "PUT") return std::nullopt;
    if (next == "SlowDown") return s3_error_reply(503, "SlowDown");
    if (next == "AccessDenied") return s3_error_reply(403, "AccessDenied");
    return s3_error_reply(400, "XAmzContentSHA256Mismatch");
  };
  for (auto [code, reason] :
       {std::pair{"SlowDown", Reason::store_io}, std::pair{"AccessDenied", Reason::store_denied},
        std::pair{"BadDigest", Reason::io}}) {
    next = code;
    PutRequest req = temp(**store, "k.jpg", "bytes");
    (*store)->put(req);
    auto r = results(**store, 1);
    ASSERT_FALSE(r[0].status.ok()) << code;
    EXPECT_EQ(r[0].status.error().reason, reason) << r[0].status.error().to_string();
    EXPECT_TRUE(std::filesystem::exists(req.temp_file)) << code;
    EXPECT_EQ(r[0].status.error().detail.find(kTestSecret), std::string::npos);
  }
  // Nothing to upload: the engine has to fetch again.
  PutRequest gone = temp(**store, "gone.jpg", "x");
  std::filesystem::remove(gone.temp_file);
  (*store)->put(gone);
  EXPECT_EQ(results(**store, 1)[0].status.error().reason, Reason::io);
}

TEST_F(S3StoreTest, SkipExistingComparesTheStoredSha256) {
  S3Options o;
  o.skip_existing = true;
  auto store = open(o);
  ASSERT_TRUE(store.ok());
  PutRequest first = temp(**store, "same.jpg", "one");
  (*store)->put(first);
  ASSERT_TRUE(results(**store, 1)[0].status.ok());
  size_t before = server_.requests().size();

  PutRequest again = temp(**store, "same.jpg", "one");
  (*store)->put(again);
  ASSERT_TRUE(results(**store, 1)[0].status.ok());
  auto after = server_.requests();
  ASSERT_EQ(after.size(), before + 1);  // one HEAD, no PUT
  EXPECT_EQ(after.back().method, "HEAD");
  EXPECT_FALSE(std::filesystem::exists(again.temp_file));
  EXPECT_EQ((*store)->skipped(), 1u);

  PutRequest changed = temp(**store, "same.jpg", "two");
  (*store)->put(changed);
  ASSERT_TRUE(results(**store, 1)[0].status.ok());
  EXPECT_EQ(server_.requests().back().method, "PUT");
  EXPECT_EQ(bucket_.objects["/bucket/pre/same.jpg"], "two");
  EXPECT_EQ((*store)->skipped(), 1u);
}

TEST_F(S3StoreTest, ConcurrencyIsBounded) {
  S3Options o;
  o.concurrency = 3;
  auto store = open(o);
  ASSERT_TRUE(store.ok());
  bucket_.delay_ms = 30;
  for (int i = 0; i < 12; ++i) (*store)->put(temp(**store, "c" + std::to_string(i), "b"));
  EXPECT_EQ((*store)->in_flight(), 12u);
  auto r = results(**store, 12);
  for (const auto& x : r) EXPECT_TRUE(x.status.ok());
  EXPECT_EQ(bucket_.max_active, 3);
  EXPECT_EQ((*store)->in_flight(), 0u);
}

// Regression: the loop waited in curl_multi_poll (1 s) with puts queued and every slot
// free, so each batch of `concurrency` puts cost a second.
TEST_F(S3StoreTest, AFreedSlotIsRefilledAtOnce) {
  S3Options o;
  o.concurrency = 2;
  auto store = open(o);
  ASSERT_TRUE(store.ok());
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 8; ++i) (*store)->put(temp(**store, "r" + std::to_string(i), "b"));
  results(**store, 8);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::milliseconds(900));  // about 5 ms; the bug took 4 s
}

TEST_F(S3StoreTest, SpoolAndDescribe) {
  auto store = open();
  ASSERT_TRUE(store.ok());
  EXPECT_EQ((*store)->describe(), "s3 bucket/pre at " + server_.url());
  EXPECT_EQ((*store)->describe().find(kTestSecret), std::string::npos);
  auto spool = (*store)->spool_dir();
  testing::write_file(spool / "fetch-9-1.part", "left over");
  testing::write_file(spool / "notes.txt", "not ours");
  ASSERT_TRUE((*store)->clean_spool().ok());
  EXPECT_FALSE(std::filesystem::exists(spool / "fetch-9-1.part"));
  EXPECT_TRUE(std::filesystem::exists(spool / "notes.txt"));  // only temp files go
}

TEST(S3HeaderSafe, NoLineBreakOrNonAsciiReachesAHeader) {
  EXPECT_EQ(header_safe("http://h/a b\r\nX-Evil: 1\xc3\xa4", 100),
            "http://h/a%20b%0D%0AX-Evil:%201%C3%A4");
  EXPECT_EQ(header_safe("image/jpeg; charset=binary\n", 100, true),
            "image/jpeg; charset=binary%0A");
  EXPECT_EQ(header_safe("abc\xff", 5), "abc");  // never half an escape
}

}  // namespace
}  // namespace sluice
