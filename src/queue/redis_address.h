// Where a Redis queue lives: `--queue redis://[[user]:pass@]host[:port][/db]`, parsed by
// libcurl's URL API. Credentials stay in this struct; describe() never shows them.
#pragma once

#include <string>

#include "util/error.h"

namespace sluice {

struct RedisAddress {
  std::string host;  // a name or an address; IPv6 literals without brackets
  int port = 6379;
  int db = 0;            // SELECT db; 0 when the URL has no path
  std::string user;      // empty: AUTH with the password alone ("redis://:pass@host")
  std::string password;  // empty: no AUTH

  // "redis://host:port/db", never with the credentials: the form for messages and logs.
  std::string describe() const;
};

// True for "redis://..." and "rediss://..." (which parse_redis_url refuses with a reason).
bool is_redis_url(const std::string& spec);

// bad_input for anything but redis://host[:port][/db] with an optional user:pass@ (URL-
// encoded), and for rediss:// (TLS), which Debian 12's hiredis 0.14 cannot speak: the
// message says how to connect through a TLS tunnel. Messages never echo the password.
Result<RedisAddress> parse_redis_url(const std::string& url);

// The spec with any password replaced by "***", for messages that echo --queue.
std::string redact_queue_spec(const std::string& spec);

}  // namespace sluice
