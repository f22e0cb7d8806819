// Where an S3 store writes and how it addresses the bucket: `--store s3://BUCKET/PREFIX`
// plus the --s3-* flags, with the AWS environment variables as fallbacks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "store/aws_credentials.h"
#include "util/error.h"

namespace sluice {

// What the command line gives; empty / unset fields fall back to the environment.
struct S3Options {
  std::string endpoint;            // --s3-endpoint, else AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL
  std::string region;              // --s3-region, else AWS_REGION, AWS_DEFAULT_REGION, us-east-1
  std::optional<bool> path_style;  // unset: path-style with an endpoint, virtual-hosted on AWS
  int concurrency = 16;            // transfers at once
  uint64_t multipart_threshold = 64ull << 20;  // objects this large use multipart upload
  uint64_t part_size = 16ull << 20;
  std::filesystem::path spool = "./sluice-spool";
  bool skip_existing = false;  // HEAD first; skip when x-amz-meta-sha256 matches
  long connect_timeout_ms = 10'000;
  long low_speed_bytes = 1;      // a transfer slower than this ...
  long low_speed_seconds = 120;  // ... for this long has failed (store_io)
  std::string ca_bundle;         // else AWS_CA_BUNDLE, else the system's
};

// The bucket and its address, resolved once at open.
struct S3Target {
  std::string bucket;
  std::string prefix;     // "" or ending in '/'
  std::string scheme;     // "http" or "https"
  std::string host;       // the Host header: "s3.us-east-1.amazonaws.com", "127.0.0.1:9000"
  std::string base_path;  // "" or an endpoint's path without the trailing '/': "/s3"
  std::string endpoint;   // as shown to people: "http://127.0.0.1:9000" (no credentials)
  std::string region;
  bool path_style = true;
  bool aws = false;  // no endpoint given: Amazon S3 itself

  // The object's full key in the bucket: prefix + key.
  std::string object_key(const std::string& key) const { return prefix + key; }
  // The encoded request path for a full key ("" for the bucket itself); it is also the
  // SigV4 canonical URI (S3 encodes once and never normalises).
  std::string path_for(const std::string& full_key) const;
  // "scheme://host" + path_for(full_key).
  std::string url_for(const std::string& full_key) const;
  // "s3 bucket/prefix at ENDPOINT"
  std::string describe() const;
};

// Splits "s3://BUCKET[/PREFIX]" (bad_input if malformed). The prefix gets a trailing '/'.
Result<std::pair<std::string, std::string>> parse_s3_spec(const std::string& spec);

// Resolves the address of spec's bucket from opts and env (bad_input on a bad value).
Result<S3Target> resolve_s3_target(const std::string& spec, const S3Options& opts,
                                   const EnvLookup& env);

// The region opts or env name ("us-east-1" by default).
std::string resolve_region(const S3Options& opts, const EnvLookup& env);

}  // namespace sluice
