#include "store/aws_credentials.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "util/text.h"

namespace sluice {
namespace {

std::string_view trim_space(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Error denied(std::string detail) { return make_error(Reason::store_denied, std::move(detail)); }

std::optional<std::string> nonempty(const EnvLookup& env, const char* name) {
  auto v = env(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

}  // namespace

std::string AwsCredentials::describe() const {
  std::string id = access_key_id.size() > 8 ? access_key_id.substr(0, 4) + "..." +
                                                  access_key_id.substr(access_key_id.size() - 4)
                                            : std::string("(short id)");
  return "access key " + id + " from " + source;
}

EnvLookup process_env() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<AwsCredentials> credentials_from_ini(std::string_view text, const std::string& profile,
                                            const std::string& file) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 BOM
  std::map<std::string, std::string> keys;
  bool in_profile = false, found = false;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::string_view line = trim_space(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    // An indented line continues the value above (nested settings): not a key of ours.
    if (std::isspace(static_cast<unsigned char>(raw[0]))) continue;
    if (line[0] == '[') {
      if (line.back() != ']') {
        return denied(file + ":" + std::to_string(line_no) + ": malformed section header");
      }
      in_profile = trim_space(line.substr(1, line.size() - 2)) == profile;
      found = found || in_profile;
      continue;
    }
    size_t eq = line.find_first_of("=:");
    if (eq == std::string_view::npos) {
      // Never echo the line: it may be a secret pasted without its key.
      return denied(file + ":" + std::to_string(line_no) + ": expected 'key = value'");
    }
    if (in_profile)
      keys[ascii_lower(trim_space(line.substr(0, eq)))] =
          std::string(trim_space(line.substr(eq + 1)));
  }
  std::string where = "profile '" + profile + "' in " + file;
  if (!found) {
    return denied("no " + where +
                  " (set AWS_PROFILE to one of its profiles, or set "
                  "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)");
  }
  AwsCredentials c;
  c.access_key_id = keys["aws_access_key_id"];
  c.secret_access_key = keys["aws_secret_access_key"];
  c.session_token = keys["aws_session_token"];
  c.source = where;
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return denied(where + " has no " +
                  (c.access_key_id.empty() ? "aws_access_key_id" : "aws_secret_access_key") +
                  " (sluice reads static keys only: no role_arn, sso_* or credential_process)");
  }
  return c;
}

Result<AwsCredentials> load_aws_credentials(const EnvLookup& env) {
  auto id = nonempty(env, "AWS_ACCESS_KEY_ID");
  auto secret = nonempty(env, "AWS_SECRET_ACCESS_KEY");
  if (id && secret) {
    AwsCredentials c;
    c.access_key_id = *id;
    c.secret_access_key = *secret;
    c.session_token = nonempty(env, "AWS_SESSION_TOKEN").value_or("");
    c.source = "the environment";
    return c;
  }
  if (id || secret) {
    return denied(std::string(id ? "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"
                                 : "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not") +
                  ": set both, or neither to use the shared credentials file");
  }

  std::string profile = nonempty(env, "AWS_PROFILE").value_or("default");
  auto explicit_file = nonempty(env, "AWS_SHARED_CREDENTIALS_FILE");
  std::string file;
  if (explicit_file) {
    file = *explicit_file;
  } else if (auto home = nonempty(env, "HOME")) {
    file = *home + "/.aws/credentials";
  } else {
    return denied("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  }
  if (file.size() > 1 && file[0] == '~' && file[1] == '/') {
    if (auto home = nonempty(env, "HOME")) file = *home + file.substr(1);
  }

  std::ifstream in(file, std::ios::binary);
  if (!in) {
    int err = errno;
    if (!explicit_file && err == ENOENT) {
      return denied(
          "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
          "add a [" +
          profile + "] profile to " + file);
    }
    return denied("cannot read the AWS credentials file " + file + ": " + std::strerror(err));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > (1u << 20)) return denied(file + " is larger than 1 MiB");
  return credentials_from_ini(text.str(), profile, file);
}

}  // namespace sluice
