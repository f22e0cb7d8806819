// Options of the bundled strict test provider (`sluice provider`): what it serves, how
// slowly, and how strictly it counts.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "util/error.h"

namespace sluice {

// Latency added to every main-port request before its response is sent.
struct LatencySpec {
  // tail: a heavy tail, as a busy real server has: a `share` of requests (drawn at random)
  // take `long_ms`, the rest are exponential with mean `ms`.
  enum class Kind { none, fixed, exponential, tail };
  Kind kind = Kind::none;
  double ms = 0;       // the fixed delay, or the mean of the exponential
  double share = 0;    // tail: the share of requests that take long_ms (0 to 1)
  double long_ms = 0;  // tail: their delay

  // One delay drawn from `rng` (the provider's generator, seeded by --seed).
  std::chrono::milliseconds sample(std::mt19937_64& rng) const;
  std::string to_string() const;
};

// Body size in bytes: exactly `min` when min == max, else a size in [min, max] chosen
// deterministically from the path (body_size in body.h).
struct SizeSpec {
  uint64_t min = 16384;
  uint64_t max = 16384;
  std::string to_string() const;
};

inline constexpr uint64_t kMaxBodyBytes = 1ull << 30;

// "none", "fixed:MS", "exp:MEAN_MS" or "tail:MEAN_MS:SHARE:LONG_MS"; a bare "MS" means
// fixed. Errors are bad_input with a detail that says what was expected.
Result<LatencySpec> parse_latency(std::string_view text);

// "N" or "MIN-MAX"; each number may end in k or m (KiB, MiB); at most kMaxBodyBytes.
Result<SizeSpec> parse_size(std::string_view text);

// An IPv4 or IPv6 literal the listeners can bind to.
bool is_ip_literal(const std::string& text);

struct ProviderOptions {
  std::string listen = "127.0.0.1";
  int port = 0;          // 0: ephemeral
  int control_port = 0;  // the uncounted listener for /__stats and /__reset; 0: ephemeral
  int cap = 0;           // most open connections / in-flight requests allowed; 0: no cap
  bool suspend = false;  // after the first violation, answer 403 to every main-port request
  LatencySpec latency;
  SizeSpec size;
  double share_404 = 0;     // share of /img/ paths (by hash of the path) that answer 404
  uint64_t seed = 1;        // seeds the latency generator
  int idle_timeout_s = 60;  // idle keep-alive connections are closed after this long
  // A request whose client leaves during its latency stays counted (in flight, and its
  // connection open) until that latency has elapsed, as a thread-per-request server that
  // notices only when it writes; otherwise it is counted closed at once.
  bool count_after_disconnect = false;

  // Fault modes (faults.h has the table, its order and each rule's exact semantics). A
  // share picks /img/ paths by a hash of the path salted per mode, so which paths misbehave
  // is fixed by (flags, path); a path picked by several shares gets the first (shares.h).
  int suspend_for_s = 0;          // > 0: a violation suspends the account for this long
  int fail_first = 0;             // every /img/ path fails its first K GETs ...
  int fail_status = 500;          // ... with this status
  double share_410 = 0;           // answer 410 Gone, always
  double share_429 = 0;           // answer 429 on the first GET, then normally
  int retry_after_s = 1;          // the 429's Retry-After: this many seconds ...
  bool retry_after_date = false;  // ... given as an HTTP date (now + retry_after_s)
  double share_reset = 0;         // first GET: TCP reset after the header and half the body
  double share_short = 0;         // first GET: half the body, then close (Content-Length full)
  double share_drip = 0;          // every GET (or the first, drip_once): body at drip_bytes_per_s
  uint64_t drip_bytes_per_s = 100;
  bool drip_once = false;
  double share_oversize = 0;  // 200 with a body of oversize_bytes, made as it is sent
  uint64_t oversize_bytes = 60ull << 20;
  double share_wrong_type = 0;  // 200 text/html with an HTML page, not an image
};

}  // namespace sluice
