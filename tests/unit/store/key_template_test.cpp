#include "store/key_template.h"

#include <gtest/gtest.h>

#include <iterator>
#include <set>
#include <string>

#include "store/object_key.h"
#include "util/sha256.h"

namespace sluice {
namespace {

const std::string kSha = std::string(60, 'a') + "bcde";

KeyFields fields(const std::string& id, const std::string& ext = ".jpg") {
  KeyFields f;
  f.id = id;
  f.url = "https://img.example.com/p/" + id;
  f.sha256 = kSha;
  f.url_sha256 = sha256_hex(f.url);
  f.ext = ext;
  f.host = "img.example.com";
  return f;
}

KeyTemplate must_parse(const std::string& tmpl) {
  auto t = KeyTemplate::parse(tmpl);
  EXPECT_TRUE(t.ok()) << tmpl << ": " << (t.ok() ? "" : t.error().to_string());
  return std::move(t.value());
}

std::string render(const std::string& tmpl, const KeyFields& f) {
  auto key = must_parse(tmpl).render(f);
  EXPECT_TRUE(key.ok()) << key.error().to_string();
  return key.ok() ? *key : "";
}

TEST(KeyTemplate, DefaultIsIdAndExtension) {
  EXPECT_EQ(std::string(KeyTemplate::kDefault), "{id}{ext}");
  EXPECT_EQ(render(KeyTemplate::kDefault, fields("4006381333931")), "4006381333931.jpg");
  EXPECT_EQ(render(KeyTemplate::kDefault, fields("SKU-1_a.b~c", "")), "SKU-1_a.b~c");
}

TEST(KeyTemplate, EveryField) {
  KeyFields f = fields("42", ".png");
  EXPECT_EQ(render("{id}", f), "42");
  EXPECT_EQ(render("{sha256}", f), kSha);
  EXPECT_EQ(render("{url_sha256}", f), f.url_sha256);
  EXPECT_EQ(render("{host}/{id}{ext}", f), "img.example.com/42.png");
  EXPECT_EQ(render("{url}", f), "https%3A%2F%2Fimg.example.com%2Fp%2F42");
  EXPECT_EQ(render("images/{id}.orig{ext}", f), "images/42.orig.png");
}

TEST(KeyTemplate, PrefixesMakeFanOutFolders) {
  KeyFields f = fields("abcdef");
  EXPECT_EQ(render("{sha256:2}/{sha256}{ext}", f), "aa/" + kSha + ".jpg");
  EXPECT_EQ(render("{url_sha256:2}/{url_sha256:4}/{id}{ext}", f),
            f.url_sha256.substr(0, 2) + "/" + f.url_sha256.substr(0, 4) + "/abcdef.jpg");
  EXPECT_EQ(render("{id:3}/{id}", f), "abc/abcdef");
  EXPECT_EQ(render("{id:64}/{id}", f), "abcdef/abcdef");  // shorter than the prefix
  // Prefixes count characters, never splitting a UTF-8 sequence.
  EXPECT_EQ(render("{id:2}/{id}", fields("\xc3\xa9\xc3\xa8x", "")),
            "\xc3\xa9\xc3\xa8/\xc3\xa9\xc3\xa8x");
}

TEST(KeyTemplate, NeedsSha256) {
  EXPECT_FALSE(must_parse("{id}{ext}").needs_sha256());
  EXPECT_FALSE(must_parse("{url_sha256:2}/{id}").needs_sha256());
  EXPECT_TRUE(must_parse("{sha256}").needs_sha256());
  EXPECT_TRUE(must_parse("{sha256:2}/{id}").needs_sha256());
  KeyFields f = fields("1");
  f.sha256.clear();
  auto key = must_parse("{sha256}").render(f);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().reason, Reason::bad_key);
  EXPECT_NE(key.error().detail.find("after the download"), std::string::npos);
}

TEST(KeyTemplate, ParseErrorsNameTemplateAndPosition) {
  struct Case {
    const char* tmpl;
    const char* expect;
  } cases[] = {
      {"", "empty"},
      {"{id", "'{' at position 0 is not closed"},
      {"x/{id{ext}", "'{' at position 2 is not closed"},
      {"{id}}", "'}' without '{' at position 4"},
      {"a}{id}", "'}' without '{' at position 1"},
      {"{name}", "unknown field '{name}' at position 0"},
      {"{id}{ID}", "unknown field '{ID}' at position 4"},
      {"{}{id}", "unknown field '{}'"},
      {"{sha256:}", "bad prefix length"},
      {"{sha256:0}", "bad prefix length"},
      {"{sha256:65}", "bad prefix length"},
      {"{sha256:2x}", "bad prefix length"},
      {"{sha256:-1}", "bad prefix length"},
      {"{host}{ext}", "no field differs per job"},
      {"{id:4}{ext}", "no field differs per job"},
      {"/{id}", "absolute"},
      {"../{id}", "'..'"},
      {"a/./{id}", "'.'"},
      {"{id}//{ext}", "empty path segment"},
      {"{id}/{ext}", "empty path segment"},  // when the extension is unknown
      {"a\\{id}", "backslash"},
      {"a\t{id}", "control character"},
  };
  for (const Case& c : cases) {
    auto t = KeyTemplate::parse(c.tmpl);
    ASSERT_FALSE(t.ok()) << c.tmpl;
    EXPECT_EQ(t.error().reason, Reason::bad_input) << c.tmpl;
    EXPECT_NE(t.error().detail.find(c.expect), std::string::npos)
        << c.tmpl << " -> " << t.error().detail;
    EXPECT_NE(t.error().detail.find("key template '"), std::string::npos) << t.error().detail;
  }
}

// Regression: --key '.sluice-tmp/{id}' was accepted at start and every job was then
// dead-lettered by the folder store, whose temp folder that is.
TEST(KeyTemplate, ATemplateThatCanOnlyRenderInTheTempFolderIsRefused) {
  for (const char* tmpl :
       {".sluice-tmp/{id}", ".sluice-tmp/{sha256:2}/{id}{ext}", ".sluice-tmp/x/{url_sha256}"}) {
    auto t = KeyTemplate::parse(tmpl);
    ASSERT_FALSE(t.ok()) << tmpl;
    EXPECT_EQ(t.error().reason, Reason::bad_input);
    EXPECT_NE(t.error().detail.find("every key would be inside '.sluice-tmp/'"), std::string::npos)
        << t.error().detail;
  }
  // Names that only start alike, or the folder deeper down, are other folders.
  for (const char* tmpl :
       {".sluice-tmp{id}", ".sluice-tmp-old/{id}", "x/.sluice-tmp/{id}", "{id}/.sluice-tmp"}) {
    EXPECT_TRUE(KeyTemplate::parse(tmpl).ok()) << tmpl;
  }
}

TEST(KeyTemplate, AdversarialIdsStayOneSegment) {
  KeyTemplate t = must_parse("{id}{ext}");
  struct Case {
    std::string id;
    std::string key;
  } cases[] = {
      {"../../etc/passwd", "..%2F..%2Fetc%2Fpasswd.jpg"},
      {"/abs", "%2Fabs.jpg"},
      {"a/../../b", "a%2F..%2F..%2Fb.jpg"},
      {"a\\b", "a%5Cb.jpg"},
      {"\x01", "%01.jpg"},
      {"a\nb\rc\td", "a%0Ab%0Dc%09d.jpg"},
      {std::string("a\0b", 3), "a%00b.jpg"},
      {"100%", "100%25.jpg"},
      {"a b?c#d&e", "a%20b%3Fc%23d%26e.jpg"},
      {"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80",
       "caf\xc3\xa9%20\xe6\x97\xa5\xe6\x9c\xac%20\xf0\x9f\x98\x80.jpg"},  // UTF-8 kept
      {"bad\xff\xc3", "bad%FF%C3.jpg"},                                   // invalid UTF-8 encoded
      {"c1\xc2\x85", "c1%C2%85.jpg"},                                     // U+0085 encoded
  };
  for (const Case& c : cases) {
    auto key = t.render(fields(c.id));
    ASSERT_TRUE(key.ok()) << printable(c.id) << ": " << key.error().to_string();
    EXPECT_EQ(*key, c.key) << printable(c.id);
    EXPECT_TRUE(check_object_key(*key).ok());
  }
}

TEST(KeyTemplate, DotIdsCannotFormDotSegments) {
  EXPECT_EQ(render("{id}{ext}", fields("..", "")), "%2E%2E");
  EXPECT_EQ(render("{id}{ext}", fields(".", "")), "%2E");
  EXPECT_EQ(render("{id}/x", fields("..")), "%2E%2E/x");
  EXPECT_EQ(render("{id}{ext}", fields("..")), "%2E%2E.jpg");  // the value, whatever follows
  EXPECT_EQ(render("{id}{ext}", fields("..a")), "..a.jpg");
  EXPECT_EQ(render("{id}{ext}", fields("...", "")), "...");
}

TEST(KeyTemplate, DifferentIdsNeverShareAKey) {
  KeyTemplate t = must_parse("{id}{ext}");
  const char* ids[] = {"a/b", "a_b", "a%2Fb", "a%252Fb", "a\\b", "a b", "a%20b", "..", "%2E%2E"};
  std::set<std::string> keys;
  for (const char* id : ids) {
    auto key = t.render(fields(id));
    ASSERT_TRUE(key.ok()) << id;
    keys.insert(*key);
  }
  EXPECT_EQ(keys.size(), std::size(ids));
}

TEST(KeyTemplate, RenderErrorsNameTheId) {
  KeyTemplate t = must_parse("{id}{ext}");
  auto empty = t.render(fields(""));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().reason, Reason::bad_key);
  EXPECT_NE(empty.error().detail.find("{id} is empty"), std::string::npos);

  std::string long_id(300, 'x');
  auto too_long = t.render(fields(long_id));
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.error().reason, Reason::bad_key);
  EXPECT_NE(too_long.error().detail.find("no key for id 'xxxx"), std::string::npos);
  EXPECT_NE(too_long.error().detail.find("255"), std::string::npos) << too_long.error().detail;

  // Percent-encoding can triple a value: 100 slashes are 300 bytes.
  EXPECT_FALSE(t.render(fields(std::string(100, '/'))).ok());
  EXPECT_TRUE(t.render(fields(std::string(80, '/'))).ok());

  // Many segments, each fine, over the total limit.
  auto deep = must_parse("{id}/{id}/{id}/{id}/{id}").render(fields(std::string(250, 'd')));
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.error().detail.find("1024"), std::string::npos) << deep.error().detail;

  // Control characters in the message are escaped.
  auto ctl = must_parse("{id}/{host}").render([] {
    KeyFields f = fields("evil\x01");
    f.host.clear();
    return f;
  }());
  ASSERT_FALSE(ctl.ok());
  EXPECT_NE(ctl.error().detail.find("evil\\x01"), std::string::npos) << ctl.error().detail;
  EXPECT_NE(ctl.error().detail.find("{host} is empty"), std::string::npos);
}

TEST(KeyFieldsFor, FillsWhatTheJobKnows) {
  KeyFields f = key_fields_for("42", "https://IMG.Example.com:8443/a/B.JPEG?x=1");
  EXPECT_EQ(f.id, "42");
  EXPECT_EQ(f.url, "https://IMG.Example.com:8443/a/B.JPEG?x=1");
  EXPECT_EQ(f.url_sha256, sha256_hex(f.url));
  EXPECT_EQ(f.host, "img.example.com");
  EXPECT_EQ(f.ext, ".jpeg");
  EXPECT_TRUE(f.sha256.empty());

  KeyFields bad = key_fields_for("7", "not a url");
  EXPECT_TRUE(bad.host.empty());
  EXPECT_EQ(bad.url_sha256, sha256_hex("not a url"));
}

}  // namespace
}  // namespace sluice
