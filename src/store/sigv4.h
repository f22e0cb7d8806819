// AWS Signature Version 4, written here rather than taken from libcurl: Debian 12's
// libcurl 7.88 CURLOPT_AWS_SIGV4 does not sort query parameters (curl issue 9717), which
// breaks multipart uploads (?partNumber=..&uploadId=..). HMAC-SHA256 and SHA-256 come from
// OpenSSL. Each step is its own function so tests can hold it against AWS's published
// canonical requests, strings to sign and signatures.
//
// S3 rules, which differ from the generic suite: the path is URI-encoded once (never
// double-encoded) and not normalised ("a/./b" stays as it is).
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice {

using NameValues = std::vector<std::pair<std::string, std::string>>;

// RFC 3986 percent-encoding as SigV4 asks: A-Z a-z 0-9 - . _ ~ stay, every other byte is
// %XX (upper-case hex); '/' stays when encode_slash is false (paths), else %2F.
std::string aws_uri_encode(std::string_view s, bool encode_slash);

// "name=value&..." with names and values encoded and sorted by name, then by value.
// A parameter without a value is "name=". The same string is used in the request URL.
std::string canonical_query(const NameValues& query);

struct CanonicalHeaders {
  std::string block;         // "name:value\n" per header, names lower case, sorted
  std::string signed_names;  // "host;x-amz-date"
};
// Lower-cases names, trims values and collapses runs of spaces; repeated names are joined
// with ','.
CanonicalHeaders canonical_headers(const NameValues& headers);

struct SigV4Request {
  std::string method;         // "GET", "PUT", ...
  std::string canonical_uri;  // the path as sent, already encoded: "/bucket/a%20b.jpg"
  NameValues query;           // decoded names and values
  NameValues headers;         // every header to sign; must include host and x-amz-date
  std::string payload_hash;   // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

struct SigV4Key {
  std::string access_key_id;
  std::string secret_access_key;
  std::string region;   // "us-east-1"
  std::string service;  // "s3"
};

struct SigV4Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;      // hex
  std::string authorization;  // the Authorization header's value
};

std::string canonical_request(const SigV4Request& req);

// amz_date is "YYYYMMDDTHHMMSSZ"; the scope is "YYYYMMDD/region/service/aws4_request".
std::string credential_scope(std::string_view amz_date, const SigV4Key& key);
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);

// Signs req as of amz_date. The Authorization value is
// "AWS4-HMAC-SHA256 Credential=AKID/scope, SignedHeaders=..., Signature=...".
SigV4Signature sigv4_sign(const SigV4Request& req, const SigV4Key& key, std::string_view amz_date);

// "YYYYMMDDTHHMMSSZ" for a UTC time.
std::string amz_date(std::time_t t);

// Raw HMAC-SHA256 and SHA-256 digests (32 bytes), and their lower-case hex.
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string sha256_raw(std::string_view data);
std::string to_hex(std::string_view bytes);
// The raw digest of a 64-character hex SHA-256, base64-encoded (x-amz-checksum-sha256);
// "" if hex is not a SHA-256.
std::string sha256_hex_to_base64(std::string_view hex);

// SHA-256 of the empty string, the payload hash of a request without a body.
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

}  // namespace sluice
