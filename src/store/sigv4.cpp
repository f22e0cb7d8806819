#include "store/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <stdexcept>

#include "util/text.h"

namespace sluice {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr char kHexUpper[] = "0123456789ABCDEF";

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Trims the ends and turns every run of spaces or tabs into one space.
std::string collapse_spaces(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string aws_uri_encode(std::string_view s, bool encode_slash) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (unreserved(c) || (c == '/' && !encode_slash)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHexUpper[c >> 4]);
      out.push_back(kHexUpper[c & 0x0f]);
    }
  }
  return out;
}

std::string canonical_query(const NameValues& query) {
  NameValues encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) {
    encoded.emplace_back(aws_uri_encode(name, true), aws_uri_encode(value, true));
  }
  std::sort(encoded.begin(), encoded.end());  // by name, then by value: byte order
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += name + "=" + value;
  }
  return out;
}

CanonicalHeaders canonical_headers(const NameValues& headers) {
  std::map<std::string, std::string> merged;  // sorted by lower-case name
  for (const auto& [name, value] : headers) {
    std::string key = ascii_lower(name);
    auto [it, fresh] = merged.emplace(key, collapse_spaces(value));
    if (!fresh) it->second += "," + collapse_spaces(value);
  }
  CanonicalHeaders out;
  for (const auto& [name, value] : merged) {
    out.block += name + ":" + value + "\n";
    if (!out.signed_names.empty()) out.signed_names.push_back(';');
    out.signed_names += name;
  }
  return out;
}

std::string canonical_request(const SigV4Request& req) {
  CanonicalHeaders h = canonical_headers(req.headers);
  return req.method + "\n" + (req.canonical_uri.empty() ? "/" : req.canonical_uri) + "\n" +
         canonical_query(req.query) + "\n" + h.block + "\n" + h.signed_names + "\n" +
         req.payload_hash;
}

std::string credential_scope(std::string_view amz_date, const SigV4Key& key) {
  return std::string(amz_date.substr(0, 8)) + "/" + key.region + "/" + key.service +
         "/aws4_request";
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request) {
  return "AWS4-HMAC-SHA256\n" + std::string(amz_date) + "\n" + std::string(scope) + "\n" +
         to_hex(sha256_raw(canonical_request));
}

SigV4Signature sigv4_sign(const SigV4Request& req, const SigV4Key& key, std::string_view amz_date) {
  SigV4Signature out;
  out.canonical_request = canonical_request(req);
  std::string scope = credential_scope(amz_date, key);
  out.string_to_sign = string_to_sign(amz_date, scope, out.canonical_request);
  std::string k = hmac_sha256("AWS4" + key.secret_access_key, amz_date.substr(0, 8));
  k = hmac_sha256(k, key.region);
  k = hmac_sha256(k, key.service);
  k = hmac_sha256(k, "aws4_request");
  out.signature = to_hex(hmac_sha256(k, out.string_to_sign));
  out.authorization = "AWS4-HMAC-SHA256 Credential=" + key.access_key_id + "/" + scope +
                      ", SignedHeaders=" + canonical_headers(req.headers).signed_names +
                      ", Signature=" + out.signature;
  return out;
}

std::string amz_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len)) {
    throw std::runtime_error("OpenSSL: HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string sha256_raw(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL: SHA-256 failed");
  }
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string to_hex(std::string_view bytes) {
  std::string out;
  out.reserve(2 * bytes.size());
  for (char ch : bytes) {
    auto c = static_cast<unsigned char>(ch);
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0x0f]);
  }
  return out;
}

std::string sha256_hex_to_base64(std::string_view hex) {
  if (hex.size() != 64) return "";
  unsigned char raw[32];
  for (size_t i = 0; i < 32; ++i) {
    int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return "";
    raw[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  unsigned char out[48];  // 4 * ceil(32 / 3) = 44, plus the NUL
  int n = EVP_EncodeBlock(out, raw, 32);
  return std::string(reinterpret_cast<char*>(out), static_cast<size_t>(n));
}

}  // namespace sluice
