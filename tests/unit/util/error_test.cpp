#include "util/error.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

namespace sluice {
namespace {

// The names are a stable interface: they are stored in queue files and typed by users
// (`dlq replay --reason`). This table may only grow at the end.
const std::vector<std::pair<Reason, const char*>> kStableNames = {
    {Reason::ok, "ok"},
    {Reason::http_status, "http"},
    {Reason::bad_url, "bad_url"},
    {Reason::blocked_address, "blocked_address"},
    {Reason::dns, "dns"},
    {Reason::connect, "connect"},
    {Reason::timeout, "timeout"},
    {Reason::reset, "reset"},
    {Reason::truncated, "truncated"},
    {Reason::too_large, "too_large"},
    {Reason::not_image, "not_image"},
    {Reason::too_many_redirects, "too_many_redirects"},
    {Reason::tls, "tls"},
    {Reason::network, "network"},
    {Reason::store_io, "store_io"},
    {Reason::store_denied, "store_denied"},
    {Reason::gate_refused, "gate_refused"},
    {Reason::cancelled, "cancelled"},
    {Reason::internal, "internal"},
    {Reason::bad_input, "bad_input"},
    {Reason::io, "io"},
    {Reason::bad_key, "bad_key"},
    {Reason::bad_framing, "bad_framing"},
    {Reason::headers_too_large, "headers_too_large"},
    {Reason::bad_status, "bad_status"},
    {Reason::queue_unavailable, "queue_unavailable"},
    {Reason::redis, "redis"},
    {Reason::disk_full, "disk_full"},
    {Reason::read_only, "read_only"},
    {Reason::local_denied, "local_denied"},
    {Reason::local_io, "local_io"},
};

TEST(Reason, NamesAreStable) {
  for (const auto& [reason, name] : kStableNames) {
    EXPECT_EQ(reason_name(reason), name) << static_cast<int>(reason);
  }
}

TEST(Reason, NumbersAreStable) {
  for (size_t i = 0; i < kStableNames.size(); ++i) {
    EXPECT_EQ(static_cast<size_t>(kStableNames[i].first), i) << kStableNames[i].second;
  }
}

TEST(Reason, NamesRoundTripAndAreUnique) {
  std::set<std::string> seen;
  for (const auto& [reason, name] : kStableNames) {
    Reason back = Reason::internal;
    ASSERT_TRUE(reason_from_name(reason_name(reason), &back)) << name;
    EXPECT_EQ(back, reason) << name;
    EXPECT_TRUE(seen.insert(std::string(reason_name(reason))).second) << name;
  }
}

TEST(Reason, EveryNameRoundTrips) {
  // Walks past the table too, so a reason added without a name shows up here.
  for (int i = 0; i < 64; ++i) {
    auto r = static_cast<Reason>(i);
    std::string_view name = reason_name(r);
    Reason back;
    ASSERT_TRUE(reason_from_name(name, &back));
    if (back != r) {
      // Only an out-of-range value may fall back to "internal".
      EXPECT_EQ(name, "internal") << i;
      EXPECT_GE(static_cast<size_t>(i), kStableNames.size()) << "reason " << i << " has no name";
    }
  }
}

TEST(Reason, UnknownNamesAreRejected) {
  Reason r = Reason::timeout;
  EXPECT_FALSE(reason_from_name("", &r));
  EXPECT_FALSE(reason_from_name("Timeout", &r));
  EXPECT_FALSE(reason_from_name("http_404", &r));  // a code, not a reason name
  EXPECT_FALSE(reason_from_name("nonsense", &r));
  EXPECT_EQ(r, Reason::timeout);  // untouched on failure
}

TEST(Error, CodeAndToString) {
  EXPECT_EQ(http_error(404, "").code(), "http_404");
  EXPECT_EQ(http_error(503, "x").code(), "http_503");
  EXPECT_EQ(make_error(Reason::timeout, "").code(), "timeout");
  EXPECT_EQ(make_error(Reason::timeout, "").to_string(), "timeout");
  EXPECT_EQ(make_error(Reason::dns, "no such host: a.example").to_string(),
            "dns: no such host: a.example");
  EXPECT_EQ(http_error(410, "gone").to_string(), "http_410: gone");
  Error none;
  EXPECT_EQ(none.code(), "ok");
}

TEST(Status, DefaultIsOk) {
  Status ok;
  EXPECT_TRUE(ok.ok());
  EXPECT_TRUE(static_cast<bool>(ok));
  Status bad = make_error(Reason::io, "x");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().reason, Reason::io);
}

TEST(Result, HoldsValueOrError) {
  Result<int> v = 42;
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 42);
  Result<std::string> s = std::string("abc");
  EXPECT_EQ(s->size(), 3u);
  Result<int> e = make_error(Reason::bad_url, "no host");
  ASSERT_FALSE(e.ok());
  EXPECT_FALSE(static_cast<bool>(e));
  EXPECT_EQ(e.error().to_string(), "bad_url: no host");
}

ErrorClass http_class(int status) { return classify(http_error(status, "")); }

TEST(Classify, PermanentHttpStatuses) {
  for (int s : {400, 404, 410, 451}) {
    EXPECT_EQ(http_class(s), ErrorClass::permanent) << s;
  }
}

TEST(Classify, ForbiddenIsRetriedBecauseASuspendedAccountLooksTheSame) {
  EXPECT_EQ(http_class(401), ErrorClass::transient);
  EXPECT_EQ(http_class(403), ErrorClass::transient);
}

TEST(Classify, ServerErrorsAreTransient) {
  for (int s : {500, 502, 504, 599}) EXPECT_EQ(http_class(s), ErrorClass::transient) << s;
  EXPECT_EQ(http_class(408), ErrorClass::transient);
}

TEST(Classify, SlowDown) {
  EXPECT_EQ(http_class(429), ErrorClass::slow_down);
  EXPECT_EQ(http_class(503), ErrorClass::slow_down);
}

TEST(Classify, PermanentReasons) {
  for (Reason r : {Reason::bad_url, Reason::blocked_address, Reason::too_large, Reason::not_image,
                   Reason::too_many_redirects, Reason::bad_input, Reason::bad_key}) {
    EXPECT_EQ(classify(make_error(r, "")), ErrorClass::permanent) << reason_name(r);
  }
}

TEST(Classify, TransientReasons) {
  for (Reason r : {Reason::dns, Reason::connect, Reason::timeout, Reason::reset, Reason::truncated,
                   Reason::network, Reason::queue_unavailable, Reason::redis}) {
    EXPECT_EQ(classify(make_error(r, "")), ErrorClass::transient) << reason_name(r);
  }
}

TEST(Classify, StorageIsItsOwnClass) {
  EXPECT_EQ(classify(make_error(Reason::store_io, "disk full")), ErrorClass::storage);
  EXPECT_EQ(classify(make_error(Reason::store_denied, "EACCES")), ErrorClass::storage);
}

TEST(Classify, LocalFaultsAreOurSideNotTheJobs) {
  for (Reason r : {Reason::disk_full, Reason::read_only, Reason::local_denied, Reason::local_io}) {
    EXPECT_EQ(classify(make_error(r, "")), ErrorClass::local) << reason_name(r);
  }
}

TEST(Classify, FreeRetriesAndNone) {
  EXPECT_EQ(classify(make_error(Reason::gate_refused, "")), ErrorClass::free_retry);
  EXPECT_EQ(classify(make_error(Reason::cancelled, "")), ErrorClass::free_retry);
  EXPECT_EQ(classify(Error{}), ErrorClass::none);
}

}  // namespace
}  // namespace sluice
