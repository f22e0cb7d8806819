#include "store/aws_credentials.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "util/temp_files.h"

namespace sluice {
namespace {

using testing::TempDir;
using testing::write_file;

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

constexpr const char* kFile =
    "\xEF\xBB\xBF# shared credentials\r\n"
    "[default]\r\n"
    "aws_access_key_id = AKIADEFAULT00000\r\n"
    "aws_secret_access_key = default/secret+KEY\r\n"
    "\n"
    "; a comment\n"
    "[ ci ]\n"
    "AWS_ACCESS_KEY_ID=AKIACI0000000000\n"
    "aws_secret_access_key: ci-secret=with=equals\n"
    "aws_session_token = token==\n"
    "s3 =\n"
    "  max_concurrent_requests = 20\n"
    "[partial]\n"
    "aws_access_key_id = AKIAPARTIAL00000\n"
    "region = eu-west-1\n";

TEST(AwsCredentialsIni, ReadsTheNamedProfile) {
  auto d = credentials_from_ini(kFile, "default", "creds");
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->access_key_id, "AKIADEFAULT00000");
  EXPECT_EQ(d->secret_access_key, "default/secret+KEY");
  EXPECT_EQ(d->session_token, "");
  EXPECT_EQ(d->source, "profile 'default' in creds");

  auto ci = credentials_from_ini(kFile, "ci", "creds");
  ASSERT_TRUE(ci.ok()) << ci.error().to_string();
  EXPECT_EQ(ci->access_key_id, "AKIACI0000000000");           // keys are case-insensitive
  EXPECT_EQ(ci->secret_access_key, "ci-secret=with=equals");  // split at the first '=' or ':'
  EXPECT_EQ(ci->session_token, "token==");
}

TEST(AwsCredentialsIni, MissingProfileOrKeyIsDeniedWithoutSecrets) {
  auto none = credentials_from_ini(kFile, "nope", "creds");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().reason, Reason::store_denied);
  EXPECT_NE(none.error().detail.find("no profile 'nope' in creds"), std::string::npos);

  auto partial = credentials_from_ini(kFile, "partial", "creds");
  ASSERT_FALSE(partial.ok());
  EXPECT_NE(partial.error().detail.find("has no aws_secret_access_key"), std::string::npos);

  // A line that is not "key = value" (say, a pasted secret) is never echoed.
  auto bad = credentials_from_ini("[default]\nwJalrXUtnFEMIsecret\n", "default", "creds");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().detail, "creds:2: expected 'key = value'");
  for (const auto& r : {none, partial}) {
    EXPECT_EQ(r.error().detail.find("secret+KEY"), std::string::npos);
    EXPECT_EQ(r.error().detail.find("ci-secret"), std::string::npos);
  }
}

TEST(AwsCredentialsLoad, EnvironmentComesFirst) {
  auto c = load_aws_credentials(env_of({{"AWS_ACCESS_KEY_ID", "AKIAENV000000000"},
                                        {"AWS_SECRET_ACCESS_KEY", "env-secret"},
                                        {"AWS_SESSION_TOKEN", "env-token"},
                                        {"AWS_PROFILE", "ci"},
                                        {"HOME", "/nonexistent"}}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->secret_access_key, "env-secret");
  EXPECT_EQ(c->session_token, "env-token");
  EXPECT_EQ(c->describe(), "access key AKIA...0000 from the environment");
}

TEST(AwsCredentialsLoad, HalfAKeyPairIsAnError) {
  auto c = load_aws_credentials(env_of({{"AWS_SECRET_ACCESS_KEY", "only-secret"}}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().reason, Reason::store_denied);
  EXPECT_NE(c.error().detail.find("AWS_ACCESS_KEY_ID is not"), std::string::npos);
  EXPECT_EQ(c.error().detail.find("only-secret"), std::string::npos);
}

TEST(AwsCredentialsLoad, ProfileFromSharedFile) {
  TempDir dir;
  write_file(dir.path() / "credentials", kFile);
  std::string file = (dir.path() / "credentials").string();
  auto c =
      load_aws_credentials(env_of({{"AWS_SHARED_CREDENTIALS_FILE", file}, {"AWS_PROFILE", "ci"}}));
  ASSERT_TRUE(c.ok()) << c.error().to_string();
  EXPECT_EQ(c->access_key_id, "AKIACI0000000000");
  EXPECT_EQ(c->source, "profile 'ci' in " + file);

  // Default: ~/.aws/credentials, profile "default".
  std::filesystem::create_directories(dir.path() / ".aws");
  write_file(dir.path() / ".aws" / "credentials", kFile);
  auto d = load_aws_credentials(env_of({{"HOME", dir.path().string()}}));
  ASSERT_TRUE(d.ok()) << d.error().to_string();
  EXPECT_EQ(d->access_key_id, "AKIADEFAULT00000");
}

TEST(AwsCredentialsLoad, NothingAnywhereSaysWhatToSet) {
  TempDir dir;
  auto c = load_aws_credentials(env_of({{"HOME", dir.path().string()}}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().reason, Reason::store_denied);
  EXPECT_NE(c.error().detail.find("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
            std::string::npos);
  auto missing = load_aws_credentials(
      env_of({{"AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "absent").string()}}));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().detail.find("cannot read the AWS credentials file"), std::string::npos);
}

}  // namespace
}  // namespace sluice
