#include "server/listen.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(ListenTest, ParsesAddresses) {
  auto a = parse_listen("127.0.0.1:8080");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  auto v6 = parse_listen("[::1]:0");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->to_string(), "[::1]:0");
  auto bare = parse_listen(":9000");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->host, "127.0.0.1");  // no address: loopback, never everything
}

TEST(ListenTest, RefusesWhatDoesNotRead) {
  for (const char* bad :
       {"8080", "127.0.0.1:", "127.0.0.1:http", "127.0.0.1:70000", "::1:80", "127.0.0.1:-1"}) {
    auto a = parse_listen(bad);
    ASSERT_FALSE(a.ok()) << bad;
    EXPECT_EQ(a.error().reason, Reason::bad_input);
    EXPECT_NE(a.error().detail.find(bad), std::string::npos) << a.error().detail;
  }
  std::string huge(5000, 'x');
  auto a = parse_listen(huge);
  ASSERT_FALSE(a.ok());
  EXPECT_LT(a.error().detail.size(), 300u);  // the echoed value is cut
}

TEST(ListenTest, LoopbackNeedsNoTokenAnythingElseDoes) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "localhost", "LOCALHOST"}) {
    EXPECT_TRUE(is_loopback_host(host)) << host;
    EXPECT_TRUE(check_exposure({host, 80}, "").ok()) << host;
  }
  for (const char* host :
       {"0.0.0.0", "::", "10.0.0.1", "192.168.1.2", "example.com", "128.0.0.1"}) {
    EXPECT_FALSE(is_loopback_host(host)) << host;
    Status s = check_exposure({host, 80}, "");
    ASSERT_FALSE(s.ok()) << host;
    EXPECT_NE(s.error().detail.find("--token"), std::string::npos);
    EXPECT_TRUE(check_exposure({host, 80}, "secret").ok()) << host;
  }
}

TEST(BearerTokenTest, AcceptsOnlyTheToken) {
  BearerToken t("s3cret-token");
  EXPECT_TRUE(t.required());
  EXPECT_TRUE(t.accepts("Bearer s3cret-token"));
  EXPECT_TRUE(t.accepts("bearer s3cret-token"));  // the scheme is case-insensitive
  EXPECT_TRUE(t.accepts("Bearer s3cret-token \r\n"));
  EXPECT_FALSE(t.accepts(""));
  EXPECT_FALSE(t.accepts("s3cret-token"));
  EXPECT_FALSE(t.accepts("Basic s3cret-token"));
  EXPECT_FALSE(t.accepts("Bearer s3cret-toke"));
  EXPECT_FALSE(t.accepts("Bearer s3cret-token2"));
  EXPECT_FALSE(t.accepts("Bearer S3CRET-TOKEN"));
  EXPECT_FALSE(t.accepts("Bearer "));
}

TEST(BearerTokenTest, NoTokenAcceptsAnything) {
  BearerToken t("");
  EXPECT_FALSE(t.required());
  EXPECT_TRUE(t.accepts(""));
  EXPECT_TRUE(t.accepts("Bearer whatever"));
}

}  // namespace
}  // namespace sluice
