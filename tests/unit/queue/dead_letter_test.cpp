// The dead-letter queue: replay and scan_dead with every kind of filter, on every Queue
// backend.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>

#include "queue/dead_filter.h"
#include "queue_fixture.h"

namespace sluice::testing {
namespace {

DeadFilter by_reason(std::string reason) { return DeadFilter{std::move(reason), "", "", false}; }
DeadFilter by_host(std::string host) { return DeadFilter{"", std::move(host), "", false}; }
DeadFilter by_id(std::string id) { return DeadFilter{"", "", std::move(id), false}; }
DeadFilter every() { return DeadFilter{"", "", "", true}; }

template <class Q>
class DeadLetterTest : public QueueTest<Q> {
 protected:
  // Enqueues one job per (id, host_key, code) and buries it with that code.
  void dead(const std::vector<std::array<std::string, 3>>& jobs, int64_t now = kT0) {
    std::vector<JobInput> in;
    for (const auto& [id, host, code] : jobs) in.push_back({id, "http://x.example/" + id, host});
    this->enqueue(in, now);
    auto leased = this->lease(jobs.size(), now);
    ASSERT_EQ(leased.size(), jobs.size());
    std::vector<Transition> batch;
    for (const Job& j : leased) {
      for (const auto& [id, host, code] : jobs) {
        if (id == j.id) batch.push_back(bury(j.seq, code));
      }
    }
    this->apply_ok(batch, now);
  }

  // The ids scan_dead lists for f, in its order.
  std::vector<std::string> listed(const DeadFilter& f) {
    std::vector<std::string> out;
    Status s = this->q().scan_dead(f, [&](const JobRecord& r) {
      EXPECT_EQ(r.state, JobState::dead);
      out.push_back(r.id);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s.error().to_string();
    return out;
  }

  uint64_t replay(const DeadFilter& f, int64_t now = kT0 + 10) {
    auto n = this->q().replay(f, now);
    EXPECT_TRUE(n.ok()) << n.error().to_string();
    return n.ok() ? *n : 0;
  }

  // A mix of reasons on three hosts, one of them on two ports.
  void mixed() {
    dead({{"a1", "a.example:80", "http_404"},
          {"a2", "a.example:8080", "http_503"},
          {"b1", "a.example.org:80", "http_404"},
          {"b2", "a.example.org:80", "timeout"},
          {"c1", "[::1]:8080", "http_500"},
          {"c2", "[::1]:8080", "http_410"},
          {"d1", "a.example:80", "http_5000"}});
  }

  using Ids = std::vector<std::string>;
};
TYPED_TEST_SUITE(DeadLetterTest, QueueTypes, QueueTypeNames);

TYPED_TEST(DeadLetterTest, ReplayRequeuesDeadJobsByReason) {
  this->dead({{"1", "", "http_404"}, {"2", "", "http_404"}, {"3", "", "timeout"}});
  this->enqueue({job("4", "http://a.example/4")});
  auto l = this->lease(1);
  this->apply_ok({complete(l[0].seq)});
  EXPECT_EQ(this->replay(by_reason("http_404"), kT0 + 10), 2u);
  auto st = this->stats();
  EXPECT_EQ(st.all.queued, 2u);
  EXPECT_EQ(st.all.dead, 1u);
  EXPECT_EQ(st.all.done, 1u);
  EXPECT_EQ(st.dead_by_reason, (std::map<std::string, uint64_t>{{"timeout", 1}}));
  JobRecord r = this->record("1");
  EXPECT_EQ(r.state, JobState::queued);
  EXPECT_EQ(r.attempts, 0);
  EXPECT_EQ(r.error_code, "");
  EXPECT_EQ(r.error_detail, "");
  EXPECT_EQ(r.updated_at_ms, kT0 + 10);
  EXPECT_TRUE(this->lease(10, kT0 + 9).empty());  // ready at the replay's now, not before
  EXPECT_EQ(this->lease(10, kT0 + 10).size(), 2u);
  EXPECT_EQ(this->replay(every(), kT0 + 20), 1u);
  EXPECT_EQ(this->stats().all.dead, 0u);
  EXPECT_EQ(this->replay(every(), kT0 + 30), 0u);
}

TYPED_TEST(DeadLetterTest, ReplayRefusesAnEmptyFilterWithoutAll) {
  this->dead({{"1", "", "http_404"}});
  auto n = this->q().replay(DeadFilter{}, kT0);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().reason, Reason::bad_input);
  EXPECT_EQ(this->stats().all.dead, 1u);
  // scan_dead lists everything for an empty filter.
  EXPECT_EQ(this->listed(DeadFilter{}), typename TestFixture::Ids{"1"});
}

TYPED_TEST(DeadLetterTest, OnlyDeadJobsAreTouched) {
  // A retried job carries an error code too, but it is queued, not dead.
  this->enqueue({job("q", "http://a.example/q"), job("l", "http://a.example/l")});
  auto l = this->lease(2);
  this->apply_ok({retry(l[0].seq, kT0 + 60'000, "http_404")});
  this->dead({{"d", "", "http_404"}});
  EXPECT_EQ(this->listed(by_reason("http_404")), typename TestFixture::Ids{"d"});
  EXPECT_EQ(this->replay(by_reason("http_404")), 1u);
  EXPECT_EQ(this->record("q").attempts, 1);
  EXPECT_EQ(this->record("q").error_code, "http_404");
  EXPECT_EQ(this->record("l").state, JobState::leased);
  this->apply_ok({complete(l[1].seq)});  // the lease is still its owner's
}

TYPED_TEST(DeadLetterTest, ReasonIsACodeOrAnHttpClass) {
  this->mixed();
  using Ids = typename TestFixture::Ids;
  EXPECT_EQ(this->listed(by_reason("http_404")), (Ids{"a1", "b1"}));
  EXPECT_EQ(this->listed(by_reason("http_5xx")), (Ids{"c1", "a2"}));
  EXPECT_EQ(this->listed(by_reason("http_5XX")), (Ids{"c1", "a2"}));
  EXPECT_EQ(this->listed(by_reason("http_4xx")), (Ids{"a1", "b1", "c2"}));
  EXPECT_EQ(this->listed(by_reason("http_5000")), (Ids{"d1"}));
  EXPECT_TRUE(this->listed(by_reason("http_999")).empty());
  EXPECT_TRUE(this->listed(by_reason("no_such_reason")).empty());
  EXPECT_EQ(this->replay(by_reason("no_such_reason")), 0u);
  EXPECT_EQ(this->replay(by_reason("http_5xx")), 2u);
  EXPECT_EQ(this->stats().dead_by_reason,
            (std::map<std::string, uint64_t>{
                {"http_404", 2}, {"http_410", 1}, {"http_5000", 1}, {"timeout", 1}}));
}

TYPED_TEST(DeadLetterTest, HostIsAHostKeyOrAHostOnEveryPort) {
  this->mixed();
  using Ids = typename TestFixture::Ids;
  EXPECT_EQ(this->listed(by_host("a.example")), (Ids{"a1", "d1", "a2"}));
  EXPECT_EQ(this->listed(by_host("a.example:8080")), (Ids{"a2"}));
  EXPECT_EQ(this->listed(by_host("a.example.org")), (Ids{"b1", "b2"}));
  EXPECT_EQ(this->listed(by_host("::1")), (Ids{"c2", "c1"}));
  EXPECT_EQ(this->listed(by_host("[::1]")), (Ids{"c2", "c1"}));
  EXPECT_EQ(this->listed(by_host("[::1]:8080")), (Ids{"c2", "c1"}));
  EXPECT_TRUE(this->listed(by_host("a.exampl")).empty());
  EXPECT_TRUE(this->listed(by_host("a.example:81")).empty());
  EXPECT_EQ(this->replay(by_host("a.example")), 3u);
  EXPECT_EQ(this->stats().all.dead, 4u);
}

TYPED_TEST(DeadLetterTest, FieldsCombineAndIdSelectsOneJob) {
  this->mixed();
  using Ids = typename TestFixture::Ids;
  EXPECT_EQ(this->listed(DeadFilter{"http_404", "a.example.org", "", false}), (Ids{"b1"}));
  EXPECT_EQ(this->listed(DeadFilter{"http_4xx", "::1", "", false}), (Ids{"c2"}));
  EXPECT_EQ(this->listed(by_id("b2")), (Ids{"b2"}));
  EXPECT_TRUE(this->listed(DeadFilter{"http_404", "", "b2", false}).empty());
  EXPECT_TRUE(this->listed(DeadFilter{"", "a.example", "b2", false}).empty());
  EXPECT_TRUE(this->listed(by_id("nope")).empty());
  EXPECT_EQ(this->replay(DeadFilter{"http_404", "", "b2", false}), 0u);
  EXPECT_EQ(this->replay(DeadFilter{"timeout", "a.example.org", "b2", true}), 1u);
  EXPECT_EQ(this->record("b2").state, JobState::queued);
  EXPECT_EQ(this->replay(by_id("b2")), 0u);  // no longer dead
}

TYPED_TEST(DeadLetterTest, ScanDeadIsByReasonThenSeqAcrossPagesAndStopsEarly) {
  // 1,300 dead jobs (more than two pages of one reason) among done ones, reasons interleaved.
  std::vector<std::array<std::string, 3>> jobs;
  for (int i = 0; i < 1300; ++i) {
    jobs.push_back({"j" + std::to_string(i), "", i % 3 == 0 ? "timeout" : "http_404"});
  }
  this->enqueue({job("done", "http://a.example/done")});
  this->apply_ok({complete(this->lease(1)[0].seq)});
  this->dead(jobs);
  std::vector<std::pair<std::string, int64_t>> order;
  ASSERT_TRUE(this->q()
                  .scan_dead(DeadFilter{},
                             [&](const JobRecord& r) {
                               order.emplace_back(r.error_code, r.seq);
                               return true;
                             })
                  .ok());
  ASSERT_EQ(order.size(), 1300u);
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
  EXPECT_EQ(std::adjacent_find(order.begin(), order.end()), order.end());
  EXPECT_EQ(order.front().first, "http_404");
  EXPECT_EQ(order.back().first, "timeout");
  size_t seen = 0;
  EXPECT_TRUE(
      this->q().scan_dead(DeadFilter{}, [&](const JobRecord&) { return ++seen < 700; }).ok());
  EXPECT_EQ(seen, 700u);
}

TYPED_TEST(DeadLetterTest, ScanDeadCallbackMayReplayWhatItSees) {
  std::vector<std::array<std::string, 3>> jobs;
  for (int i = 0; i < 1100; ++i) jobs.push_back({"j" + std::to_string(i), "", "http_404"});
  this->dead(jobs);
  size_t seen = 0;
  Status s = this->q().scan_dead(by_reason("http_404"), [&](const JobRecord& r) {
    EXPECT_EQ(this->replay(by_id(r.id)), 1u) << r.id;
    return ++seen > 0;
  });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(seen, 1100u);
  EXPECT_EQ(this->stats().all.queued, 1100u);
}

TEST(DeadMatch, ReadsReasonsAndHosts) {
  DeadMatch any(DeadFilter{});
  EXPECT_TRUE(any.any_reason());
  EXPECT_FALSE(any.past("zzz"));
  EXPECT_TRUE(any.host_matches("whatever:1"));
  DeadMatch cls(by_reason("http_4xx"));
  EXPECT_EQ(cls.first_reason(), "http_400");
  EXPECT_TRUE(cls.reason_matches("http_451"));
  EXPECT_FALSE(cls.reason_matches("http_4511"));
  EXPECT_FALSE(cls.reason_matches("http_51"));
  EXPECT_TRUE(cls.past("http_500"));
  EXPECT_FALSE(DeadMatch(by_reason("http_0xx")).reason_matches("http_000"));  // not a class
  DeadMatch host(by_host("::1"));
  EXPECT_EQ(host.host_lo(), "[::1]:");
  EXPECT_EQ(host.host_hi(), "[::1];");
  EXPECT_TRUE(check_replay_filter(every()).ok());
  EXPECT_FALSE(check_replay_filter(DeadFilter{}).ok());
}

}  // namespace
}  // namespace sluice::testing
