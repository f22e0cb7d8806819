// The read and dead-letter commands print the same on a Redis queue as on a SQLite queue,
// with dead jobs in both. The jobs are enqueued, leased and buried through the Queue API at
// fixed times (a `run` would bury them at times of its own), so that every column compares.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "cli/app.h"
#include "queue/queue_fixture.h"

namespace sluice::testing {
namespace {

struct Output {
  int rc = 0;
  std::string out, err;
};

Output sluice(const std::string& queue, const std::vector<std::string>& args) {
  std::vector<std::string> all = {"sluice", "--queue", queue};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  int rc = cli_main(static_cast<int>(argv.size()), argv.data());
  std::fflush(stdout);
  Output o;
  o.rc = rc;
  o.out = ::testing::internal::GetCapturedStdout();
  o.err = ::testing::internal::GetCapturedStderr();
  return o;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

// 40 jobs on three hosts: 8 done, 8 dead of http_404, 8 of http_503, 8 of timeout, 8
// waiting for a retry.
void fill(Queue& q) {
  std::vector<JobInput> in;
  for (int i = 0; i < 40; ++i) {
    in.push_back(job("j" + std::to_string(i), "http://h" + std::to_string(i % 3) + ".example/" +
                                                  std::to_string(i) + ".jpg"));
  }
  ASSERT_TRUE(q.enqueue(in, kT0).ok());
  LeaseRequest req;
  req.max = 40;
  req.now_ms = kT0 + 1;
  auto jobs = q.lease(req);
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 40u);
  std::vector<Transition> batch;
  for (const Job& j : *jobs) {
    switch (j.seq % 5) {
      case 0:
        batch.push_back(
            complete(j.seq, {j.id + ".jpg", "sha-" + j.id, 100, "image/jpeg", "e", ""}));
        break;
      case 1:
        batch.push_back(bury(j.seq, "http_404"));
        break;
      case 2:
        batch.push_back(bury(j.seq, "http_503"));
        break;
      case 3:
        batch.push_back(bury(j.seq, "timeout"));
        break;
      default:
        batch.push_back(retry(j.seq, kT0 + 60'000, "http_500"));
        break;
    }
  }
  ASSERT_TRUE(all_applied(q, batch, kT0 + 2));
}

TEST(RedisCli, ReadAndDeadLetterCommandsPrintWhatSqlitePrints) {
  std::string why;
  auto server = RedisServer::start({}, &why);
  ASSERT_NE(server, nullptr) << "cannot start redis-server: " << why;
  TempDir dir;
  const std::string db = dir.file("q.db");
  const std::string rq = server->url() + "/0";
  {
    auto sqlite = SqliteQueue::open(db);
    ASSERT_TRUE(sqlite.ok()) << sqlite.error().to_string();
    fill(**sqlite);
    auto redis = RedisQueue::open(server->address());
    ASSERT_TRUE(redis.ok()) << redis.error().to_string();
    fill(**redis);
  }
  auto expect_same = [&](const std::vector<std::string>& args) {
    std::string what;
    for (const auto& a : args) what += " " + a;
    Output a = sluice(db, args), b = sluice(rq, args);
    EXPECT_EQ(a.rc, b.rc) << what;
    EXPECT_EQ(replace_all(a.out, db, "QUEUE"), replace_all(b.out, rq, "QUEUE")) << what;
    EXPECT_EQ(replace_all(a.err, db, "QUEUE"), replace_all(b.err, rq, "QUEUE")) << what;
    return b;
  };
  Output list = expect_same({"dlq", "list"});
  EXPECT_EQ(std::count(list.out.begin(), list.out.end(), '\n'), 25) << list.out;  // 24 + header
  expect_same({"dlq", "list", "--json"});
  expect_same({"dlq", "list", "--reason", "http_5xx"});
  expect_same({"dlq", "list", "--host", "h1.example", "--json"});
  expect_same({"dlq", "list", "--id", "j6", "--json"});
  Output none = expect_same({"dlq", "list", "--reason", "http_410"});
  EXPECT_NE(none.err.find("http_404 (8)"), std::string::npos) << none.err;
  expect_same({"dlq", "summary"});
  expect_same({"dlq", "summary", "--json"});
  expect_same({"dlq", "export"});
  expect_same({"dlq", "export", "--format", "jsonl"});
  expect_same({"status"});
  Output csv = expect_same({"export", "--format", "csv"});
  EXPECT_NE(csv.out.find("sha-j4"), std::string::npos);

  Output replayed = expect_same({"dlq", "replay", "--reason", "http_404"});
  EXPECT_EQ(replayed.out, "replayed 8 jobs\n");
  expect_same({"dlq", "list"});
  Output status = expect_same({"status", "--json"});
  EXPECT_NE(status.out.find("\"dead\": 16"), std::string::npos) << status.out;
}

}  // namespace
}  // namespace sluice::testing
