// URL facts the rest of sluice needs, parsed by libcurl's URL API (never by hand).
#pragma once

#include <string>
#include <string_view>

#include "util/error.h"

namespace sluice {

struct UrlParts {
  std::string scheme;    // "http" or "https"
  std::string host;      // lower case, no brackets
  int port = 0;          // explicit or the scheme's default
  std::string path;      // "/a/b.jpg" (no query)
  std::string host_key;  // "host:port": the unit per-host limits apply to
};

// Parses and checks an untrusted URL: only http and https, a host is required.
// Errors are bad_url with the reason in the detail.
Result<UrlParts> parse_url(const std::string& url);

// A host name that DNS could hold, as parse_url returns it (lower case, IPv6 literals
// without brackets, which are not checked further): at most 253 bytes (254 with a final
// '.'), labels of 1 to 63 bytes, made of ASCII letters, digits, '-' and '_' or valid
// non-ASCII UTF-8 (internationalised names; counted in bytes as written). Errors are
// bad_url naming the host (printable) and what is wrong.
Status check_host_name(std::string_view host);

// "host:port", with IPv6 literals in brackets ("[::1]:8080"): the key per-host limits use.
std::string host_key(const std::string& host, int port);

}  // namespace sluice
