// An in-memory S3 bucket behind FakeS3Server, and an S3Store pointed at it. The bucket
// checks every request's SigV4 signature against what actually arrived on the wire (what
// s3rver does not do), so a header curl added or an encoding that differs from the signed
// one shows up as a bad signature.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "store/s3_fake_server.h"
#include "store/s3_store.h"
#include "store/sigv4.h"
#include "util/sha256.h"
#include "util/temp_files.h"

namespace sluice::testing {

constexpr const char* kTestKeyId = "AKIDTESTKEY00001";
constexpr const char* kTestSecret = "wJalrXUtnFEMI/TEST+secret/KEY";

inline std::string percent_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Recomputes the request's signature from the wire; "" when it matches, else why not.
inline std::string check_signature(const FakeRequest& r) {
  std::string auth = r.header("authorization");
  auto field = [&auth](const std::string& name) {
    size_t at = auth.find(name + "=");
    if (at == std::string::npos) return std::string();
    size_t end = auth.find_first_of(", ", at);
    return auth.substr(at + name.size() + 1, end - at - name.size() - 1);
  };
  std::string cred = field("Credential"), names = field("SignedHeaders");
  if (cred.rfind(std::string(kTestKeyId) + "/", 0) != 0) return "bad credential " + cred;
  SigV4Request req;
  req.method = r.method;
  size_t q = r.target.find('?');
  req.canonical_uri = r.target.substr(0, q);
  if (q != std::string::npos) {
    std::string query = r.target.substr(q + 1);
    for (size_t at = 0; at <= query.size();) {
      size_t amp = std::min(query.find('&', at), query.size());
      std::string pair = query.substr(at, amp - at);
      size_t eq = pair.find('=');
      req.query.emplace_back(percent_decode(pair.substr(0, eq)),
                             eq == std::string::npos ? "" : percent_decode(pair.substr(eq + 1)));
      at = amp + 1;
    }
  }
  for (size_t at = 0; at < names.size();) {
    size_t semi = std::min(names.find(';', at), names.size());
    std::string name = names.substr(at, semi - at);
    req.headers.emplace_back(name, r.header(name));
    at = semi + 1;
  }
  req.payload_hash = r.header("x-amz-content-sha256");
  if (req.payload_hash != "UNSIGNED-PAYLOAD" && req.payload_hash != sha256_hex(r.body)) {
    return "x-amz-content-sha256 does not match the body";
  }
  // Credential=AKID/DATE/REGION/SERVICE/aws4_request
  size_t a = cred.find('/'), b = cred.find('/', a + 1), c = cred.find('/', b + 1);
  SigV4Key key{kTestKeyId, kTestSecret, cred.substr(b + 1, c - b - 1), "s3"};
  auto s = sigv4_sign(req, key, r.header("x-amz-date"));
  return s.signature == field("Signature") ? "" : "signature mismatch:\n" + s.canonical_request;
}

// A bucket named "bucket". fail(), when set, may answer a request before the bucket does.
class FakeBucket {
 public:
  std::function<std::optional<FakeReply>(const FakeRequest&)> fail;
  std::map<std::string, std::string> objects;                      // path -> bytes
  std::map<std::string, std::map<std::string, std::string>> meta;  // path -> headers
  std::atomic<int> bad_signatures{0}, active{0}, max_active{0};
  std::atomic<int> delay_ms{0};

  FakeReply handle(const FakeRequest& r) {
    int now = ++active;
    for (int m = max_active; now > m && !max_active.compare_exchange_weak(m, now);) {
    }
    if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    FakeReply reply = answer(r);
    --active;
    return reply;
  }

 private:
  FakeReply answer(const FakeRequest& r) {
    if (std::string why = check_signature(r); !why.empty()) {
      ++bad_signatures;
      ADD_FAILURE() << r.method << " " << r.target << ": " << why;
    }
    if (fail) {
      if (auto reply = fail(r)) return *reply;
    }
    std::lock_guard<std::mutex> lock(mu_);
    std::string path = r.target.substr(0, r.target.find('?'));
    size_t q = r.target.find('?');
    std::string query = q == std::string::npos ? "" : r.target.substr(q + 1);
    if (path == "/bucket") return {200, "<ListBucketResult></ListBucketResult>", {}};
    if (r.method == "HEAD") {
      if (!objects.count(path)) return {404, "", {}};
      FakeReply reply{200, "", {}};
      for (const auto& [n, v] : meta[path]) reply.headers.emplace_back(n, v);
      return reply;
    }
    if (r.method == "PUT" && query.empty()) {
      objects[path] = r.body;
      meta[path] = {{"x-amz-meta-sha256", r.header("x-amz-meta-sha256")},
                    {"content-type", r.header("content-type")}};
      return {200, "", {{"ETag", "\"e\""}}};
    }
    if (r.method == "POST" && query == "uploads=") {
      meta[path] = {{"x-amz-meta-sha256", r.header("x-amz-meta-sha256")},
                    {"content-type", r.header("content-type")}};
      return {200,
              "<InitiateMultipartUploadResult><UploadId>up+1/=</UploadId>"
              "</InitiateMultipartUploadResult>",
              {}};
    }
    if (r.method == "PUT") {  // ?partNumber=N&uploadId=..
      int n = std::stoi(query.substr(query.find('=') + 1));
      parts_[n] = r.body;
      return {200, "", {{"ETag", "\"part" + std::to_string(n) + "\""}}};
    }
    if (r.method == "POST") {  // ?uploadId=..: complete
      std::string all;
      for (const auto& [n, body] : parts_) all += body;
      objects[path] = all;
      parts_.clear();
      return {200,
              "<CompleteMultipartUploadResult><ETag>\"m-3\"</ETag>"
              "</CompleteMultipartUploadResult>",
              {}};
    }
    if (r.method == "DELETE") {
      parts_.clear();
      return {204, "", {}};
    }
    return {400, "<Error><Code>Unexpected</Code></Error>", {}};
  }

  std::mutex mu_;
  std::map<int, std::string> parts_;
};

class S3StoreTest : public ::testing::Test {
 protected:
  S3StoreTest() : server_([this](const FakeRequest& r) { return bucket_.handle(r); }) {}

  Result<std::unique_ptr<S3Store>> open(S3Options o = {}) {
    o.endpoint = server_.url();
    o.spool = dir_.path() / "spool";
    auto target = resolve_s3_target("s3://bucket/pre", o,
                                    [](const char*) { return std::optional<std::string>(); });
    EXPECT_TRUE(target.ok());
    S3Context ctx;
    ctx.target = *target;
    ctx.credentials = AwsCredentials{kTestKeyId, kTestSecret, "", "a test"};
    ctx.options = o;
    return S3Store::open(std::move(ctx));
  }

  // A temp file in the store's spool, and the put that stores it under key.
  PutRequest temp(S3Store& store, const std::string& key, const std::string& bytes) {
    auto path = store.spool_dir() / ("fetch-1-" + std::to_string(++n_) + ".part");
    write_file(path, bytes);
    return PutRequest{n_,
                      path,
                      key,
                      "image/jpeg",
                      sha256_hex(bytes),
                      bytes.size(),
                      "http://provider.test/img/ä 1.jpg"};
  }

  // Waits (bounded) for n results.
  std::vector<PutResult> results(S3Store& store, size_t n) {
    std::vector<PutResult> all;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (all.size() < n && std::chrono::steady_clock::now() < deadline) {
      for (auto& r : store.poll()) all.push_back(std::move(r));
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    EXPECT_EQ(all.size(), n);
    return all;
  }

  TempDir dir_;
  FakeBucket bucket_;
  FakeS3Server server_;
  uint64_t n_ = 0;
};

}  // namespace sluice::testing
