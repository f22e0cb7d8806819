// What only the Redis backend has: its key layout, the script cache fallback, a lost
// connection and the reconnect with backoff, command timeouts, durability across a restart
// of redis-server (AOF), lease renewal, the schema version, AUTH and the refusals (Cluster).
// Everything the Queue contract says is in the typed tests, which run on Redis too.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "queue/redis_keys.h"
#include "queue/redis_scripts.h"
#include "queue_fixture.h"

namespace sluice::testing {
// Named, not anonymous: the sanitizer builds compile test files together (unity build).
namespace redis_queue_test {

using ::testing::HasSubstr;
using ::testing::Not;

LeaseRequest lease_req(size_t max, int64_t now, int64_t lease_ms = 60'000) {
  LeaseRequest req;
  req.max = max;
  req.now_ms = now;
  req.lease_ms = lease_ms;
  return req;
}

RedisServer::Options with_aof() {
  RedisServer::Options o;
  o.append_only = true;
  return o;
}

RedisServer::Options as_cluster_node() {
  RedisServer::Options o;
  o.cluster = true;
  return o;
}

std::unique_ptr<RedisServer> start_server(const RedisServer::Options& options = {}) {
  std::string why;
  auto server = RedisServer::start(options, &why);
  EXPECT_NE(server, nullptr) << "cannot start redis-server: " << why;
  return server;
}

std::unique_ptr<RedisQueue> open_ok(const RedisAddress& address,
                                    const RedisQueueOptions& options = {}) {
  auto q = RedisQueue::open(address, options);
  EXPECT_TRUE(q.ok()) << q.error().to_string();
  return q.ok() ? std::move(*q) : nullptr;
}

std::vector<std::string> dump(Queue& q) {
  std::vector<std::string> out;
  EXPECT_TRUE(q.scan([&](const JobRecord& r) {
                 out.push_back(std::to_string(r.seq) + " " + r.id + " " + r.url + " " +
                               state_name(r.state) + " a=" + std::to_string(r.attempts) + " " +
                               r.manifest.key + " " + r.error_code +
                               " t=" + std::to_string(r.updated_at_ms));
                 return true;
               }).ok());
  return out;
}

TEST(RedisKeys, MembersAndPrefixes) {
  EXPECT_EQ(redis_seq_member(42), "00000000000000000042");
  EXPECT_EQ(redis_member_seq("00000000000000000042"), 42);
  std::string dead = std::string("http_404") + '\0' + redis_seq_member(7);
  EXPECT_EQ(redis_member_seq(dead), 7);
  EXPECT_EQ(redis_dead_member_code(dead), "http_404");
  EXPECT_EQ(redis_member_seq("x"), 0);
  EXPECT_EQ(redis_global_prefix("sluice"), "sluice:{queue}");
  EXPECT_EQ(redis_host_prefix("sluice", "img.example:443"), "sluice:host:{img.example:443}");
  EXPECT_EQ(redis_host_prefix("s", "a{b}%:1"), "s:host:{a%7Bb%7D%25:1}");
}

// The keys are where redis_keys.h says, and the Lua scripts and the client build the same
// host prefix even for a host key with the characters that are escaped.
TEST(RedisQueueKeys, FollowTheDocumentedLayout) {
  RedisServer* server = shared_redis_server();
  ASSERT_NE(server, nullptr);
  TempDir dir;
  const std::string base = dir.name();
  auto q = QueueMaker<RedisQueue>::make(dir, "owner-a");
  ASSERT_NE(q, nullptr);
  ASSERT_TRUE(q->enqueue({JobInput{"odd", "http://x.example/1", "we{ir}d%:1"},
                          job("plain", "https://img.example/2.jpg")},
                         kT0)
                  .ok());
  const std::string odd = base + ":host:{we%7Bir%7Dd%25:1}";
  const std::string img = base + ":host:{img.example:443}";
  EXPECT_EQ(server->command({"GET", base + ":{queue}:version"}), "1");
  EXPECT_EQ(server->command({"GET", base + ":{queue}:seq"}), "2");
  EXPECT_EQ(server->command({"HGET", base + ":{queue}:ids", "plain"}), "2");
  EXPECT_EQ(server->command({"HGET", base + ":{queue}:where", "1"}), "we{ir}d%:1");
  EXPECT_EQ(server->command({"SCARD", base + ":{queue}:hosts"}), "2");
  EXPECT_EQ(server->command({"HGET", odd + ":job:1", "url"}), "http://x.example/1");
  EXPECT_EQ(server->command({"HGET", img + ":job:2", "state"}), "queued");
  EXPECT_EQ(server->command({"ZSCORE", img + ":ready", "00000000000000000002"}),
            std::to_string(kT0));
  EXPECT_EQ(server->command({"HGET", odd + ":counts", "queued"}), "1");
  auto jobs = q->lease(lease_req(10, kT0));
  ASSERT_EQ(seqs(*jobs), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(server->command({"ZSCORE", odd + ":leased", "00000000000000000001"}),
            std::to_string(kT0 + 60'000));
  EXPECT_EQ(server->command({"HGET", odd + ":job:1", "owner"}), "owner-a");
  ASSERT_TRUE(all_applied(*q, {bury(1, "http_404"), complete(2)}, kT0 + 1));
  EXPECT_EQ(server->command({"ZCARD", odd + ":dead"}), "1");
  EXPECT_EQ(server->command({"ZRANGEBYLEX", odd + ":dead", "-", "+"}), "1");
  EXPECT_EQ(server->command({"HGET", odd + ":dead_by", "http_404"}), "1");
  EXPECT_EQ(server->command({"HGET", img + ":counts", "done"}), "1");
  EXPECT_EQ(server->command({"HGET", img + ":job:2", "attempts"}), "1");
}

// A restarted Redis (or SCRIPT FLUSH) forgets the scripts: EVALSHA answers NOSCRIPT and the
// client falls back to EVAL, which caches them again.
TEST(RedisQueueScripts, SurviveAFlushedScriptCache) {
  RedisServer* server = shared_redis_server();
  ASSERT_NE(server, nullptr);
  TempDir dir;
  auto q = QueueMaker<RedisQueue>::make(dir, "owner-a");
  ASSERT_NE(q, nullptr);
  ASSERT_TRUE(q->enqueue({job("1", "http://a.example/1")}, kT0).ok());
  const std::string sha = redis_script(RedisScriptId::lease_host).sha1;
  EXPECT_EQ(server->command({"SCRIPT", "FLUSH"}), "OK");
  EXPECT_THAT(server->command({"EVALSHA", sha, "0"}), HasSubstr("NOSCRIPT"));
  auto jobs = q->lease(lease_req(1, kT0));
  ASSERT_TRUE(jobs.ok()) << jobs.error().to_string();
  EXPECT_EQ(jobs->size(), 1u);
  EXPECT_TRUE(all_applied(*q, {complete((*jobs)[0].seq)}, kT0));
  EXPECT_EQ(q->stats()->all.done, 1u);
}

TEST(RedisQueueScripts, ShaIsRedisOwn) {
  RedisServer* server = shared_redis_server();
  ASSERT_NE(server, nullptr);
  const RedisScript& s = redis_script(RedisScriptId::stats);
  EXPECT_EQ(server->command({"SCRIPT", "LOAD", s.text}), s.sha1);
}

// The server goes away and comes back: calls fail with the retryable queue_unavailable,
// reconnects back off (on the injected clock), nothing is lost, and the queue works again.
TEST(RedisQueueConnection, ReconnectsWithBackoffAfterALostServer) {
  auto server = start_server(with_aof());
  ASSERT_NE(server, nullptr);
  FakeClock clock;
  MemoryLogger log;
  RedisQueueOptions options;
  options.clock = &clock;
  options.log = &log;
  options.connection.backoff_initial_ms = 100;
  options.connection.connect_timeout_ms = 1000;
  auto q = open_ok(server->address(), options);
  ASSERT_NE(q, nullptr);
  ASSERT_TRUE(
      q->enqueue({job("1", "http://a.example/1"), job("2", "http://a.example/2")}, kT0).ok());
  ASSERT_EQ(q->lease(lease_req(1, kT0))->size(), 1u);

  server->stop(/*crash=*/false);
  auto lost = q->stats();  // the old connection is gone
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().reason, Reason::queue_unavailable);
  EXPECT_THAT(lost.error().detail, HasSubstr("connection lost"));
  EXPECT_THAT(lost.error().detail, HasSubstr(server->address().describe()));
  auto refused = q->stats();  // reconnecting fails: backoff starts
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().reason, Reason::queue_unavailable);
  EXPECT_THAT(refused.error().detail, HasSubstr("cannot connect"));

  std::string why;
  ASSERT_TRUE(server->restart(&why)) << why;
  auto waiting = q->stats();  // within the backoff: no attempt yet, says when
  ASSERT_FALSE(waiting.ok());
  EXPECT_THAT(waiting.error().detail, HasSubstr("next reconnect attempt in 100 ms"));
  clock.advance_ms(100);
  auto back = q->stats();
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->all.queued, 1u);
  EXPECT_EQ(back->all.leased, 1u);
  bool said = false;
  for (const auto& line : log.lines()) said = said || line.find("reconnected") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST(RedisQueueConnection, BackoffDoublesUpToItsCap) {
  auto server = start_server();
  ASSERT_NE(server, nullptr);
  FakeClock clock;
  RedisQueueOptions options;
  options.clock = &clock;
  options.connection.backoff_initial_ms = 100;
  options.connection.backoff_max_ms = 300;
  auto q = open_ok(server->address(), options);
  ASSERT_NE(q, nullptr);
  server->stop(/*crash=*/true);
  EXPECT_FALSE(q->next_ready_ms().ok());  // lost
  for (int wait : {100, 200, 300, 300}) {
    auto r = q->next_ready_ms();  // a failed attempt: the next one waits `wait`
    ASSERT_FALSE(r.ok());
    EXPECT_THAT(r.error().detail, HasSubstr("cannot connect"));
    r = q->next_ready_ms();
    EXPECT_THAT(r.error().detail, HasSubstr("next reconnect attempt in " + std::to_string(wait)));
    clock.advance_ms(wait);
  }
}

// A server that does not answer within the command timeout: queue_unavailable, which says
// so; the next call reconnects.
TEST(RedisQueueConnection, CommandTimeoutIsALostConnection) {
  auto server = start_server();
  ASSERT_NE(server, nullptr);
  RedisQueueOptions options;
  options.connection.command_timeout_ms = 200;
  auto q = open_ok(server->address(), options);
  ASSERT_NE(q, nullptr);
  // WRITE: scripts wait (they may write), CLIENT UNPAUSE does not.
  EXPECT_EQ(server->command({"CLIENT", "PAUSE", "5000", "WRITE"}), "OK");
  auto r = q->stats();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, Reason::queue_unavailable);
  EXPECT_THAT(r.error().detail, HasSubstr("no answer within the command timeout (200 ms)"));
  EXPECT_EQ(server->command({"CLIENT", "UNPAUSE"}), "OK");
  auto again = q->stats();
  EXPECT_TRUE(again.ok()) << again.error().to_string();
}

// redis-server killed (kill -9) and started again: with AOF and appendfsync always, every
// job, lease, manifest row and dead letter is there as it was.
TEST(RedisQueueDurability, RestartWithAofKeepsEveryJob) {
  auto server = start_server(with_aof());
  ASSERT_NE(server, nullptr);
  std::vector<std::string> before;
  QueueStats stats_before;
  {
    auto q = open_ok(server->address());
    ASSERT_NE(q, nullptr);
    std::vector<JobInput> in;
    for (int i = 0; i < 1000; ++i) {
      in.push_back(job("j" + std::to_string(i),
                       "http://h" + std::to_string(i % 3) + ".example/" + std::to_string(i)));
    }
    ASSERT_TRUE(q->enqueue(in, kT0).ok());
    auto jobs = q->lease(lease_req(300, kT0));
    ASSERT_EQ(jobs->size(), 300u);
    std::vector<Transition> batch;
    for (size_t i = 0; i < 200; ++i) {
      int64_t seq = (*jobs)[i].seq;
      batch.push_back(i < 100   ? complete(seq, {"k", "s", 1, "t", "e", "l"})
                      : i < 150 ? bury(seq, "http_404")
                                : retry(seq, kT0 + 5, "timeout"));
    }
    ASSERT_TRUE(all_applied(*q, batch, kT0 + 1));
    before = dump(*q);
    stats_before = *q->stats();
  }
  server->stop(/*crash=*/true);
  std::string why;
  ASSERT_TRUE(server->restart(&why)) << why;
  auto q = open_ok(server->address());
  ASSERT_NE(q, nullptr);
  auto st = q->stats();
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  EXPECT_EQ(st->all.total(), 1000u);
  EXPECT_EQ(st->all.queued, stats_before.all.queued);
  EXPECT_EQ(st->all.leased, 100u);
  EXPECT_EQ(st->all.done, 100u);
  EXPECT_EQ(st->all.dead, 50u);
  EXPECT_EQ(st->dead_by_reason, stats_before.dead_by_reason);
  EXPECT_EQ(dump(*q), before);
}

TEST(RedisQueueLeases, RenewExtendsOwnLeasesAndReportsLostOnes) {
  TempDir dir;
  auto q = QueueMaker<RedisQueue>::make(dir, "owner-a");
  ASSERT_NE(q, nullptr);
  ASSERT_TRUE(q->enqueue({job("1", "http://a.example/1"), job("2", "http://b.example/2"),
                          job("3", "http://a.example/3")},
                         kT0)
                  .ok());
  auto jobs = q->lease(lease_req(3, kT0, 1000));  // expire at +1000
  ASSERT_EQ(jobs->size(), 3u);
  auto lost = q->renew(*jobs, kT0 + 900, 2000);  // now at +2900
  ASSERT_TRUE(lost.ok()) << lost.error().to_string();
  EXPECT_TRUE(lost->empty());
  EXPECT_EQ(*q->reclaim(kT0 + 2899, false), 0u);
  // Job 3 gets a new URL (pending: the lease goes on); all three expire and are reclaimed,
  // job 3 taking its new URL...
  ASSERT_TRUE(q->enqueue({job("3", "http://a.example/3b")}, kT0 + 1000).ok());
  EXPECT_EQ(*q->reclaim(kT0 + 2900, false), 3u);
  // ... and job 1 is leased by another owner.
  q->set_owner("owner-b");
  auto b = q->lease(lease_req(1, kT0 + 2900));
  ASSERT_EQ(seqs(*b), (std::vector<int64_t>{1}));
  q->set_owner("owner-a");
  lost = q->renew(*jobs, kT0 + 3000, 1000);
  EXPECT_EQ(*lost, (std::vector<int64_t>{1, 2, 3}));
  q->set_owner("owner-b");
  EXPECT_TRUE(q->renew(*b, kT0 + 3000, 1000)->empty());
}

TEST(RedisQueueSchema, RefusesAQueueFromANewerSluice) {
  RedisServer* server = shared_redis_server();
  ASSERT_NE(server, nullptr);
  TempDir dir;
  server->command({"SET", dir.name() + ":{queue}:version", "2"});
  RedisQueueOptions options;
  options.prefix = dir.name();
  auto q = RedisQueue::open(server->address(), options);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().reason, Reason::bad_input);
  EXPECT_THAT(q.error().detail, HasSubstr("newer sluice"));
}

// status, export and dlq open with create = false: a mistyped database or prefix is an
// error, and nothing is written.
TEST(RedisQueueOpen, WithoutCreateRefusesAQueueThatIsNotThere) {
  RedisServer* server = shared_redis_server();
  ASSERT_NE(server, nullptr);
  TempDir dir;
  RedisQueueOptions options;
  options.prefix = dir.name();
  options.create = false;
  auto q = RedisQueue::open(server->address(), options);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().reason, Reason::bad_input);
  EXPECT_THAT(q.error().detail, HasSubstr("no sluice queue in " + server->address().describe()));
  EXPECT_EQ(server->command({"EXISTS", dir.name() + ":{queue}:version"}), "0");
  options.create = true;
  ASSERT_NE(open_ok(server->address(), options), nullptr);
  options.create = false;
  EXPECT_NE(open_ok(server->address(), options), nullptr);
}

TEST(RedisQueueOpen, SelectsTheDatabase) {
  RedisServer* server = shared_redis_server();
  ASSERT_NE(server, nullptr);
  RedisAddress a = server->address();
  a.db = 3;
  RedisQueueOptions options;
  options.prefix = "db-test";
  auto q = open_ok(a, options);
  ASSERT_NE(q, nullptr);
  ASSERT_TRUE(q->enqueue({job("1", "http://a.example/1")}, kT0).ok());
  EXPECT_EQ(server->command({"EXISTS", "db-test:{queue}:seq"}, 3), "1");
  EXPECT_EQ(server->command({"EXISTS", "db-test:{queue}:seq"}, 0), "0");
}

TEST(RedisQueueOpen, SaysWhereWhenNothingListens) {
  auto server = start_server();
  ASSERT_NE(server, nullptr);
  RedisAddress a = server->address();
  server->stop(/*crash=*/true);
  auto q = RedisQueue::open(a);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().reason, Reason::queue_unavailable);
  EXPECT_THAT(q.error().detail, HasSubstr("cannot connect to " + a.describe()));
}

// AUTH with a password alone and as an ACL user; a wrong one fails at open and the message
// never holds the password.
TEST(RedisQueueOpen, AuthenticatesAndNeverShowsThePassword) {
  auto server = start_server();
  ASSERT_NE(server, nullptr);
  ASSERT_EQ(
      server->command({"ACL", "SETUSER", "alice", "on", ">alice-pw-456", "~*", "&*", "+@all"}),
      "OK");
  ASSERT_EQ(server->command({"CONFIG", "SET", "requirepass", "default-pw-123"}), "OK");
  RedisAddress a = server->address();
  a.password = "default-pw-123";
  EXPECT_NE(open_ok(a), nullptr);
  a.user = "alice";
  a.password = "alice-pw-456";
  EXPECT_NE(open_ok(a), nullptr);
  a.password = "wrong-pw-789";
  auto q = RedisQueue::open(a);
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().reason, Reason::redis);
  EXPECT_THAT(q.error().detail, HasSubstr("AUTH"));
  EXPECT_THAT(q.error().detail, Not(HasSubstr("wrong-pw-789")));
  a.user.clear();
  a.password.clear();
  q = RedisQueue::open(a);  // no password at all: the first command is refused
  ASSERT_FALSE(q.ok());
  EXPECT_THAT(q.error().detail, HasSubstr("NOAUTH"));
}

TEST(RedisQueueOpen, RefusesARedisClusterNode) {
  auto server = start_server(as_cluster_node());
  ASSERT_NE(server, nullptr);
  auto q = RedisQueue::open(server->address());
  ASSERT_FALSE(q.ok());
  EXPECT_THAT(q.error().detail, HasSubstr("Redis Cluster node: not implemented yet"));
}

}  // namespace redis_queue_test
}  // namespace sluice::testing
