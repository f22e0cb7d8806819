// `--queue redis://...`: what the URL may hold, what is refused and how, and that the
// password never shows in a message.
#include "queue/redis_address.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sluice {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

RedisAddress parse_ok(const std::string& url) {
  auto a = parse_redis_url(url);
  EXPECT_TRUE(a.ok()) << url << ": " << a.error().to_string();
  return a.ok() ? *a : RedisAddress{};
}

TEST(RedisAddress, HostPortAndDatabase) {
  RedisAddress a = parse_ok("redis://queue.internal:6380/2");
  EXPECT_EQ(a.host, "queue.internal");
  EXPECT_EQ(a.port, 6380);
  EXPECT_EQ(a.db, 2);
  EXPECT_EQ(a.user, "");
  EXPECT_EQ(a.password, "");
  a = parse_ok("redis://127.0.0.1");
  EXPECT_EQ(a.port, 6379);
  EXPECT_EQ(a.db, 0);
  EXPECT_EQ(parse_ok("redis://h/").db, 0);
  a = parse_ok("redis://[::1]:7000/1");
  EXPECT_EQ(a.host, "::1");
  EXPECT_EQ(a.describe(), "redis://[::1]:7000/1");
}

TEST(RedisAddress, CredentialsAreDecodedAndNeverDescribed) {
  RedisAddress a = parse_ok("redis://worker:p%40ss%3Aw0rd@h:6379/0");
  EXPECT_EQ(a.user, "worker");
  EXPECT_EQ(a.password, "p@ss:w0rd");
  EXPECT_EQ(a.describe(), "redis://h:6379/0");
  a = parse_ok("redis://:only-pw@h");
  EXPECT_EQ(a.user, "");
  EXPECT_EQ(a.password, "only-pw");
}

TEST(RedisAddress, RefusesTlsAndSaysHowToTunnel) {
  auto a = parse_redis_url("rediss://u:topsecret@h:6380/0");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().reason, Reason::bad_input);
  EXPECT_THAT(a.error().detail, HasSubstr("TLS"));
  EXPECT_THAT(a.error().detail, HasSubstr("stunnel"));
  EXPECT_THAT(a.error().detail, HasSubstr("spiped"));
  EXPECT_THAT(a.error().detail, Not(HasSubstr("topsecret")));
  EXPECT_TRUE(is_redis_url("rediss://h"));
}

TEST(RedisAddress, RefusesWhatItDoesNotUnderstand) {
  for (const char* url : {"redis://h:6379/x", "redis://h/1/2", "redis://h/123456", "redis://h?db=1",
                          "redis://", "redis://u@h", "redis://h:99999"}) {
    auto a = parse_redis_url(url);
    EXPECT_FALSE(a.ok()) << url;
    if (!a.ok()) {
      EXPECT_EQ(a.error().reason, Reason::bad_input) << url;
    }
  }
  auto a = parse_redis_url("redis://u:hunter2@h/x");
  ASSERT_FALSE(a.ok());
  EXPECT_THAT(a.error().detail, HasSubstr("redis://u:***@h/x"));
  EXPECT_THAT(a.error().detail, Not(HasSubstr("hunter2")));
}

TEST(RedisAddress, RedactsSpecs) {
  EXPECT_EQ(redact_queue_spec("redis://u:pw@h:1/0"), "redis://u:***@h:1/0");
  EXPECT_EQ(redact_queue_spec("redis://:pw@h"), "redis://:***@h");
  EXPECT_EQ(redact_queue_spec("redis://h:1/0"), "redis://h:1/0");
  EXPECT_EQ(redact_queue_spec("sluice.db"), "sluice.db");
  EXPECT_EQ(redact_queue_spec("/tmp/a@b/q.db"), "/tmp/a@b/q.db");
}

}  // namespace
}  // namespace sluice
