#include "util/url.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice {
namespace {

UrlParts must_parse(const std::string& url) {
  auto p = parse_url(url);
  EXPECT_TRUE(p.ok()) << url << ": " << (p.ok() ? "" : p.error().to_string());
  return p.ok() ? *p : UrlParts{};
}

void expect_bad(const std::string& url, const std::string& why = "") {
  auto p = parse_url(url);
  ASSERT_FALSE(p.ok()) << url << " parsed as host " << p->host;
  EXPECT_EQ(p.error().reason, Reason::bad_url) << url;
  if (!why.empty()) {
    EXPECT_NE(p.error().detail.find(why), std::string::npos) << url << ": " << p.error().detail;
  }
}

TEST(ParseUrl, HttpAndHttpsWithDefaultPorts) {
  UrlParts a = must_parse("http://images.example.com/p/1.jpg");
  EXPECT_EQ(a.scheme, "http");
  EXPECT_EQ(a.host, "images.example.com");
  EXPECT_EQ(a.port, 80);
  EXPECT_EQ(a.path, "/p/1.jpg");
  EXPECT_EQ(a.host_key, "images.example.com:80");

  UrlParts b = must_parse("https://images.example.com/p/1.jpg");
  EXPECT_EQ(b.scheme, "https");
  EXPECT_EQ(b.port, 443);
  EXPECT_EQ(b.host_key, "images.example.com:443");
}

TEST(ParseUrl, ExplicitPort) {
  UrlParts p = must_parse("https://cdn.example.com:8443/x");
  EXPECT_EQ(p.port, 8443);
  EXPECT_EQ(p.host_key, "cdn.example.com:8443");
}

TEST(ParseUrl, SchemeAndHostAreLowerCased) {
  UrlParts p = must_parse("HTTPS://IMAGES.Example.COM/A/B.JPG");
  EXPECT_EQ(p.scheme, "https");
  EXPECT_EQ(p.host, "images.example.com");
  EXPECT_EQ(p.path, "/A/B.JPG");  // the path keeps its case
  EXPECT_EQ(p.host_key, "images.example.com:443");
}

TEST(ParseUrl, PathWithoutQueryOrFragment) {
  EXPECT_EQ(must_parse("http://h.example/a/b.png?w=100&h=5#top").path, "/a/b.png");
  EXPECT_EQ(must_parse("http://h.example").path, "/");
}

TEST(ParseUrl, Ipv6Literal) {
  UrlParts p = must_parse("http://[2001:DB8::1]:8080/img.png");
  EXPECT_EQ(p.host, "2001:db8::1");  // no brackets, lower case
  EXPECT_EQ(p.port, 8080);
  EXPECT_EQ(p.host_key, host_key(p.host, p.port));
  UrlParts d = must_parse("https://[::1]/");
  EXPECT_EQ(d.host, "::1");
  EXPECT_EQ(d.port, 443);
}

TEST(ParseUrl, Ipv4Literal) {
  UrlParts p = must_parse("http://192.0.2.7/x.jpg");
  EXPECT_EQ(p.host, "192.0.2.7");
  EXPECT_EQ(p.host_key, "192.0.2.7:80");
}

TEST(ParseUrl, UserInfoIsNotTheHost) {
  UrlParts p = must_parse("https://user:secret@img.example.com/x");
  EXPECT_EQ(p.host, "img.example.com");
}

TEST(ParseUrl, OnlyHttpAndHttps) {
  expect_bad("ftp://files.example.com/a.jpg", "not http or https");
  expect_bad("file:///etc/passwd");
  expect_bad("gopher://h.example/");
  expect_bad("javascript:alert(1)");
  expect_bad("data:image/png;base64,AAAA");
}

TEST(ParseUrl, ControlCharactersAreRefused) {
  expect_bad("http://h.example/a\nb", "control character");
  expect_bad("http://h.example/a\rb", "control character");
  expect_bad("http://h.example/\x01", "control character");
  expect_bad("http://h.example/\x7f", "control character");
  expect_bad(std::string("http://h.example/a\0b", 20), "control character");
  expect_bad("http://h.example/a\tb", "control character");
}

TEST(ParseUrl, NoHostOrNotAUrl) {
  expect_bad("", "empty");
  expect_bad("http://");
  expect_bad("not a url");
  expect_bad("images.example.com/a.jpg");  // no scheme
  expect_bad("http://h.example:99999/");   // port out of range
  expect_bad("http://h.example:port/");
}

TEST(ParseUrl, ExtraSlashesAreSkippedAsBrowsersDo) {
  // libcurl, like the WHATWG URL standard, reads "http:///h.example/x" as host h.example.
  EXPECT_EQ(must_parse("http:///h.example/x").host, "h.example");
}

TEST(ParseUrl, AnEchoedUrlIsCut) {
  auto p = parse_url("http:// " + std::string(100'000, 'x'));
  ASSERT_FALSE(p.ok());
  EXPECT_LT(p.error().detail.size(), 300u);
}

TEST(CheckHostName, AcceptsNamesDnsCanHold) {
  for (const std::string& host :
       std::vector<std::string>{"a", "images.example.com", "images.example.com.", "a-b_c.example",
                                "127.0.0.1", "::1", "xn--bcher-kva.example",
                                "b\xc3\xbc"
                                "cher.example",
                                std::string(63, 'a') + ".example",
                                std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                                    std::string(63, 'c') + "." + std::string(61, 'd')}) {
    Status s = check_host_name(host);
    EXPECT_TRUE(s.ok()) << host << ": " << s.error().detail;
  }
}

TEST(CheckHostName, RefusesNamesDnsCannotHold) {
  auto why = [](const std::string& host) {
    Status s = check_host_name(host);
    EXPECT_FALSE(s.ok()) << host;
    EXPECT_EQ(s.error().reason, Reason::bad_url);
    return s.ok() ? std::string() : s.error().detail;
  };
  std::string n254 = std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                     std::string(63, 'c') + "." + std::string(62, 'd');
  EXPECT_NE(why(n254).find("is 254 bytes, longer than 253"), std::string::npos);
  EXPECT_NE(why(std::string(64, 'a') + ".example").find("label of 64 bytes"), std::string::npos);
  EXPECT_NE(why("a..example").find("empty label"), std::string::npos);
  EXPECT_NE(why(".example").find("empty label"), std::string::npos);
  EXPECT_NE(why("").find("empty"), std::string::npos);
  EXPECT_NE(why("a|b.example").find("not allowed in a host name ('|')"), std::string::npos);
  EXPECT_NE(why("a\xff"
                "b.example")
                .find("('\\xff')"),
            std::string::npos);
  EXPECT_NE(why("a\xc2\x85"
                ".example")
                .find("not allowed"),
            std::string::npos);  // C1 control
  // The name in the message is cut.
  EXPECT_LT(why(std::string(10'000, 'a')).size(), 300u);
}

TEST(HostKey, JoinsHostAndPort) {
  EXPECT_EQ(host_key("a.example", 80), "a.example:80");
  EXPECT_EQ(host_key("a.example", 8443), "a.example:8443");
  EXPECT_EQ(host_key("::1", 8080), "[::1]:8080");
}

}  // namespace
}  // namespace sluice
