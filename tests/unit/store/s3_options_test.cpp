// s3://BUCKET/PREFIX parsing and key -> URL building, path-style and virtual-hosted.
#include "store/s3_options.h"

#include <gtest/gtest.h>

#include <map>

namespace sluice {
namespace {

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

S3Target target(const std::string& spec, S3Options o = {},
                std::map<std::string, std::string> env = {}) {
  auto t = resolve_s3_target(spec, o, env_of(std::move(env)));
  EXPECT_TRUE(t.ok()) << t.error().to_string();
  return t.ok() ? *t : S3Target{};
}

TEST(S3Spec, BucketAndPrefix) {
  auto a = parse_s3_spec("s3://bucket/products/2024/");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->first, "bucket");
  EXPECT_EQ(a->second, "products/2024/");
  auto b = parse_s3_spec("s3://bucket");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->second, "");
  for (const char* bad :
       {"s3://", "s3:///x", "s3://bu cket/x", "s3://b/../x", "file://x", "s3://b/a//c"}) {
    auto r = parse_s3_spec(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().reason, Reason::bad_input) << bad;
    }
  }
}

TEST(S3Address, PathStyleIsTheDefaultWithAnEndpoint) {
  S3Options o;
  o.endpoint = "http://127.0.0.1:9000/";
  S3Target t = target("s3://bucket/pre", o);
  EXPECT_TRUE(t.path_style);
  EXPECT_EQ(t.host, "127.0.0.1:9000");
  EXPECT_EQ(t.object_key("a b/c+d.jpg"), "pre/a b/c+d.jpg");
  // Encoded once, '/' kept; the path doubles as the SigV4 canonical URI.
  EXPECT_EQ(t.url_for(t.object_key("a b/c+d.jpg")),
            "http://127.0.0.1:9000/bucket/pre/a%20b/c%2Bd.jpg");
  EXPECT_EQ(t.path_for(""), "/bucket");
  EXPECT_EQ(t.describe(), "s3 bucket/pre at http://127.0.0.1:9000");
}

TEST(S3Address, VirtualHostedIsTheDefaultOnAws) {
  S3Target t = target("s3://my-bucket/p", {}, {{"AWS_REGION", "eu-west-1"}});
  EXPECT_FALSE(t.path_style);
  EXPECT_TRUE(t.aws);
  EXPECT_EQ(t.region, "eu-west-1");
  EXPECT_EQ(t.host, "my-bucket.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(t.url_for("p/x.jpg"), "https://my-bucket.s3.eu-west-1.amazonaws.com/p/x.jpg");
  EXPECT_EQ(t.path_for(""), "/");
  EXPECT_EQ(t.describe(), "s3 my-bucket/p at https://s3.eu-west-1.amazonaws.com");

  // A dotted bucket breaks the TLS wildcard: path-style unless asked otherwise.
  S3Target dotted = target("s3://my.bucket");
  EXPECT_TRUE(dotted.path_style);
  EXPECT_EQ(dotted.url_for("x"), "https://s3.us-east-1.amazonaws.com/my.bucket/x");
}

TEST(S3Address, ExplicitChoiceAndEnvironmentFallbacks) {
  S3Options o;
  o.path_style = false;
  S3Target vh = target(
      "s3://bucket", o,
      {{"AWS_ENDPOINT_URL", "http://s3.localhost:4568"}, {"AWS_DEFAULT_REGION", "ap-south-1"}});
  EXPECT_EQ(vh.host, "bucket.s3.localhost:4568");
  EXPECT_EQ(vh.url_for("k"), "http://bucket.s3.localhost:4568/k");
  EXPECT_EQ(vh.region, "ap-south-1");

  S3Options p;
  p.path_style = true;
  p.region = "us-west-2";  // the flag beats the environment
  S3Target ps = target("s3://bucket", p,
                       {{"AWS_REGION", "eu-west-1"},
                        {"AWS_ENDPOINT_URL_S3", "https://minio.test/base/"},
                        {"AWS_ENDPOINT_URL", "http://ignored"}});
  EXPECT_EQ(ps.region, "us-west-2");
  EXPECT_EQ(ps.host, "minio.test");  // default port: no ":443"
  EXPECT_EQ(ps.url_for("k"), "https://minio.test/base/bucket/k");
  EXPECT_EQ(ps.describe(), "s3 bucket at https://minio.test/base");
}

TEST(S3Address, RefusesWhatCannotWork) {
  S3Options creds_in_url;
  creds_in_url.endpoint = "http://AKIA:secret@127.0.0.1:9000";
  auto r = resolve_s3_target("s3://b", creds_in_url, env_of({}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail.find("secret"), std::string::npos);

  S3Options vh_on_ip;
  vh_on_ip.endpoint = "http://127.0.0.1:9000";
  vh_on_ip.path_style = false;
  EXPECT_FALSE(resolve_s3_target("s3://b", vh_on_ip, env_of({})).ok());

  S3Options ftp;
  ftp.endpoint = "ftp://host";
  EXPECT_FALSE(resolve_s3_target("s3://b", ftp, env_of({})).ok());

  S3Options region;
  region.region = "us-east-1/../x";
  EXPECT_FALSE(resolve_s3_target("s3://b", region, env_of({})).ok());
}

}  // namespace
}  // namespace sluice
