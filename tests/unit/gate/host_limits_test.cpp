#include <gtest/gtest.h>

#include "gate/gate.h"
#include "util/url.h"

namespace sluice {
namespace {

TEST(HostLimits, DefaultCapAppliesToUnknownHosts) {
  HostLimits limits(7);
  EXPECT_EQ(limits.cap_for("example.com:443"), 7);
  limits.set_default(3);
  EXPECT_EQ(limits.default_cap(), 3);
  EXPECT_EQ(limits.cap_for("example.com:443"), 3);
}

TEST(HostLimits, HostRuleMatchesAnyPort) {
  HostLimits limits(20);
  ASSERT_TRUE(limits.add_rule("images.partner.example=5").ok());
  EXPECT_EQ(limits.cap_for("images.partner.example:443"), 5);
  EXPECT_EQ(limits.cap_for("images.partner.example:80"), 5);
  EXPECT_EQ(limits.cap_for("other.example:443"), 20);
  EXPECT_EQ(limits.cap_for("partner.example:443"), 20);  // no suffix matching
}

TEST(HostLimits, ExactHostPortWinsOverHost) {
  HostLimits limits(20);
  ASSERT_TRUE(limits.add_rule("cdn.example=10").ok());
  ASSERT_TRUE(limits.add_rule("cdn.example:8080=2").ok());
  EXPECT_EQ(limits.cap_for("cdn.example:8080"), 2);
  EXPECT_EQ(limits.cap_for("cdn.example:443"), 10);
}

TEST(HostLimits, HostsAreCaseInsensitive) {
  HostLimits limits(20);
  ASSERT_TRUE(limits.add_rule("CDN.Example=4").ok());
  EXPECT_EQ(limits.cap_for("cdn.example:443"), 4);
  EXPECT_EQ(limits.cap_for("CDN.EXAMPLE:443"), 4);
}

TEST(HostLimits, LaterRuleReplacesEarlier) {
  HostLimits limits(20);
  ASSERT_TRUE(limits.add_rule("a.example=4").ok());
  ASSERT_TRUE(limits.add_rule("a.example=6").ok());
  EXPECT_EQ(limits.cap_for("a.example:80"), 6);
}

TEST(HostLimits, Ipv6LiteralsInBrackets) {
  HostLimits limits(20);
  ASSERT_TRUE(limits.add_rule("[::1]:8080=3").ok());
  ASSERT_TRUE(limits.add_rule("[2001:DB8::5]=9").ok());
  // The key is host_key()'s spelling, and a bare "v6:port" is understood too.
  EXPECT_EQ(limits.cap_for(host_key("::1", 8080)), 3);
  EXPECT_EQ(limits.cap_for("[::1]:8080"), 3);
  EXPECT_EQ(limits.cap_for("::1:8080"), 3);
  EXPECT_EQ(limits.cap_for("[::1]:80"), 20);
  EXPECT_EQ(limits.cap_for(host_key("2001:db8::5", 443)), 9);
  EXPECT_EQ(limits.cap_for("[2001:DB8::5]:443"), 9);
  EXPECT_EQ(limits.cap_for("2001:db8::5:443"), 9);
}

TEST(HostLimits, Ipv4Literal) {
  HostLimits limits(20);
  ASSERT_TRUE(limits.add_rule("192.0.2.7:80=1").ok());
  EXPECT_EQ(limits.cap_for("192.0.2.7:80"), 1);
  EXPECT_EQ(limits.cap_for("192.0.2.7:443"), 20);
}

TEST(HostLimits, BadSpecsAreBadInputNamingTheSpec) {
  const char* bad[] = {
      "",          "example.com",     "example.com=",   "example.com=0",   "example.com=-1",
      "=5",        "example.com=5x",  "example.com= 5", "exa mple.com=5",  "example.com:=5",
      "a.com:0=5", "a.com:65536=5",   "a.com:http=5",   "::1=3",           "::1:8080=3",
      "[::1=3",    "[::1]8080=3",     "[]:80=3",        "[example.com]=3", "a.com=99999999999",
      "a/b=3",     "https://a.com=3",
  };
  for (const char* spec : bad) {
    HostLimits limits(20);
    Status s = limits.add_rule(spec);
    ASSERT_FALSE(s.ok()) << spec;
    EXPECT_EQ(s.error().reason, Reason::bad_input) << spec;
    EXPECT_NE(s.error().detail.find(std::string("'") + spec + "'"), std::string::npos)
        << s.error().detail;
    EXPECT_EQ(limits.cap_for("example.com:443"), 20) << spec;  // nothing half-added
  }
}

TEST(HostLimits, RatesDefaultToNone) {
  HostLimits limits(20);
  EXPECT_EQ(limits.rate_for("example.com:443"), 0);
  limits.set_default_rate(4);
  EXPECT_EQ(limits.rate_for("example.com:443"), 4);
  limits.set_default_rate(-1);
  EXPECT_EQ(limits.default_rate(), 0);
}

TEST(HostLimits, RateRulesTakeFractionsAndAPerSecondSuffix) {
  HostLimits limits(20);
  ASSERT_TRUE(limits.add_rate_rule("slow.example=0.5").ok());
  ASSERT_TRUE(limits.add_rate_rule("cdn.example=10/s").ok());
  ASSERT_TRUE(limits.add_rate_rule("CDN.example:8080=2.5/s").ok());
  ASSERT_TRUE(limits.add_rate_rule("[::1]:8080=.25").ok());
  ASSERT_TRUE(limits.add_rate_rule("tiny.example=0.0014").ok());  // kept to a thousandth
  EXPECT_DOUBLE_EQ(limits.rate_for("slow.example:443"), 0.5);
  EXPECT_DOUBLE_EQ(limits.rate_for("cdn.example:443"), 10);
  EXPECT_DOUBLE_EQ(limits.rate_for("cdn.example:8080"), 2.5);
  EXPECT_DOUBLE_EQ(limits.rate_for(host_key("::1", 8080)), 0.25);
  EXPECT_DOUBLE_EQ(limits.rate_for("tiny.example:80"), 0.001);
  EXPECT_EQ(limits.rate_for("other.example:443"), 0);
  EXPECT_EQ(limits.cap_for("slow.example:443"), 20);  // rates and caps are separate
}

TEST(HostLimits, BadRateSpecsAreBadInputNamingTheSpec) {
  const char* bad[] = {
      "",         "a.com",     "a.com=",     "a.com=0",       "a.com=0.0004",
      "a.com=-1", "a.com=1e3", "a.com=inf",  "a.com=nan",     "a.com=1.2.3",
      "a.com=.",  "a.com=2/m", "a.com=2 /s", "a.com=/s",      "=2",
      "::1=3",    "a.com:0=1", "a b=1",      "a.com=1000001",
  };
  for (const char* spec : bad) {
    HostLimits limits(20);
    Status s = limits.add_rate_rule(spec);
    ASSERT_FALSE(s.ok()) << spec;
    EXPECT_EQ(s.error().reason, Reason::bad_input) << spec;
    EXPECT_NE(s.error().detail.find(std::string("'") + spec + "'"), std::string::npos)
        << s.error().detail;
    EXPECT_EQ(limits.rate_for("a.com:443"), 0) << spec;  // nothing half-added
  }
}

}  // namespace
}  // namespace sluice
