// AWS credentials as the AWS tools find them: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
// AWS_SESSION_TOKEN from the environment first, else a profile (AWS_PROFILE, "default")
// of the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials).
//
// Secrets never leave this struct in text: describe() and every error name where the
// credentials came from, never their values.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "util/error.h"

namespace sluice {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary credentials
  std::string source;         // "the environment" or "profile 'x' in FILE"

  // "access key AKIA...MPLE from SOURCE": the id's first and last 4 characters only.
  std::string describe() const;
};

// Looks up an environment variable; std::getenv in production, a map in tests.
using EnvLookup = std::function<std::optional<std::string>(const char* name)>;
EnvLookup process_env();

// Errors are store_denied with what to fix: no credentials anywhere, half a key pair in
// the environment, a missing profile or file, a profile without a key.
Result<AwsCredentials> load_aws_credentials(const EnvLookup& env);

// The profile's keys from the text of a shared credentials file (INI: "[name]" sections,
// "key = value" lines, '#' or ';' comment lines, CRLF tolerated, nested "  sub = x" lines
// ignored). file names the file in messages.
Result<AwsCredentials> credentials_from_ini(std::string_view text, const std::string& profile,
                                            const std::string& file);

}  // namespace sluice
