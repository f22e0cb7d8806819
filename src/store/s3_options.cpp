#include "store/s3_options.h"

#include <cctype>

#include "store/object_key.h"
#include "store/sigv4.h"
#include "util/url.h"

namespace sluice {
namespace {

bool starts_with(const std::string& s, std::string_view p) { return s.rfind(p, 0) == 0; }

std::optional<std::string> env_value(const EnvLookup& env, const char* name) {
  auto v = env(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

// Legacy and S3-compatible servers accept upper case and '_' too; reject the rest.
bool valid_bucket(const std::string& b) {
  if (b.empty() || b.size() > 255) return false;
  for (unsigned char c : b) {
    if (!std::isalnum(c) && c != '.' && c != '-' && c != '_') return false;
  }
  return true;
}

// Usable as a DNS label under TLS: lower case, digits, '-', no dots (a dotted bucket
// breaks the wildcard certificate of virtual-hosted addresses).
bool virtual_host_safe(const std::string& b) {
  if (b.size() < 3 || b.size() > 63 || b.front() == '-' || b.back() == '-') return false;
  for (unsigned char c : b) {
    if (!(std::islower(c) || std::isdigit(c) || c == '-')) return false;
  }
  return true;
}

std::string host_with_port(const UrlParts& u) {
  std::string host = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
  bool default_port =
      (u.scheme == "http" && u.port == 80) || (u.scheme == "https" && u.port == 443);
  return default_port ? host : host + ":" + std::to_string(u.port);
}

}  // namespace

std::string S3Target::path_for(const std::string& full_key) const {
  std::string path = base_path;
  if (path_style) path += "/" + aws_uri_encode(bucket, true);
  if (full_key.empty()) return path.empty() ? "/" : path;
  return path + "/" + aws_uri_encode(full_key, false);
}

std::string S3Target::url_for(const std::string& full_key) const {
  return scheme + "://" + host + path_for(full_key);
}

std::string S3Target::describe() const {
  std::string where = bucket;
  if (!prefix.empty()) where += "/" + prefix.substr(0, prefix.size() - 1);
  return "s3 " + where + " at " + endpoint;
}

Result<std::pair<std::string, std::string>> parse_s3_spec(const std::string& spec) {
  if (!starts_with(spec, "s3://")) {
    return make_error(Reason::bad_input,
                      "--store " + printable(spec) + ": expected s3://BUCKET/PREFIX");
  }
  std::string rest = spec.substr(5);
  size_t slash = rest.find('/');
  std::string bucket = rest.substr(0, slash);
  std::string prefix = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (!valid_bucket(bucket)) {
    return make_error(Reason::bad_input, "--store " + printable(spec) + ": '" + printable(bucket) +
                                             "' is not a bucket name (letters, digits, '.', '-')");
  }
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (!prefix.empty()) {
    Status st = check_object_key(prefix);
    if (!st.ok()) {
      return make_error(Reason::bad_input,
                        "--store " + printable(spec) + ": bad prefix: " + st.error().detail);
    }
    prefix += "/";
  }
  return std::make_pair(bucket, prefix);
}

std::string resolve_region(const S3Options& opts, const EnvLookup& env) {
  if (!opts.region.empty()) return opts.region;
  if (auto r = env_value(env, "AWS_REGION")) return *r;
  if (auto r = env_value(env, "AWS_DEFAULT_REGION")) return *r;
  return "us-east-1";
}

Result<S3Target> resolve_s3_target(const std::string& spec, const S3Options& opts,
                                   const EnvLookup& env) {
  auto parts = parse_s3_spec(spec);
  if (!parts.ok()) return parts.error();
  S3Target t;
  t.bucket = parts->first;
  t.prefix = parts->second;
  t.region = resolve_region(opts, env);
  for (unsigned char c : t.region) {
    if (!std::isalnum(c) && c != '-') {
      return make_error(Reason::bad_input,
                        "--s3-region '" + printable(t.region) + "' is not a region name");
    }
  }

  std::string endpoint = opts.endpoint;
  if (endpoint.empty()) endpoint = env_value(env, "AWS_ENDPOINT_URL_S3").value_or("");
  if (endpoint.empty()) endpoint = env_value(env, "AWS_ENDPOINT_URL").value_or("");
  t.aws = endpoint.empty();
  UrlParts u;
  if (t.aws) {
    u.scheme = "https";
    u.host = "s3." + t.region + ".amazonaws.com";
    u.port = 443;
  } else {
    // User info would put a secret into every message that names the endpoint.
    size_t authority = endpoint.find("://");
    std::string after = authority == std::string::npos ? endpoint : endpoint.substr(authority + 3);
    if (after.substr(0, after.find('/')).find('@') != std::string::npos ||
        endpoint.find_first_of("?#") != std::string::npos) {
      return make_error(Reason::bad_input,
                        "--s3-endpoint: expected http(s)://HOST[:PORT][/PATH] without user "
                        "info, query or fragment (credentials come from the AWS variables)");
    }
    auto parsed = parse_url(endpoint);
    if (!parsed.ok()) {
      return make_error(Reason::bad_input, "--s3-endpoint: " + parsed.error().detail);
    }
    u = *parsed;
    t.base_path = u.path;
    while (!t.base_path.empty() && t.base_path.back() == '/') t.base_path.pop_back();
  }
  t.scheme = u.scheme;
  t.endpoint = u.scheme + "://" + host_with_port(u) + t.base_path;
  t.path_style = opts.path_style.value_or(!t.aws || !virtual_host_safe(t.bucket));
  if (!t.path_style && !virtual_host_safe(t.bucket) && t.scheme == "https") {
    return make_error(Reason::bad_input,
                      "bucket '" + t.bucket +
                          "' cannot be addressed virtual-hosted over "
                          "https (not a lower-case DNS label); use --s3-path-style");
  }
  bool ip_literal = u.host.find(':') != std::string::npos ||
                    u.host.find_first_not_of("0123456789.") == std::string::npos;
  if (!t.path_style && ip_literal) {
    return make_error(Reason::bad_input,
                      "virtual-hosted addressing needs a host name, not an "
                      "IP address; use --s3-path-style");
  }
  std::string host = host_with_port(u);
  t.host = t.path_style ? host : t.bucket + "." + host;
  return t;
}

}  // namespace sluice
