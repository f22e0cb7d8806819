// Fault modes: the ways the provider misbehaves on purpose, as one table. Each rule looks
// at a request and may take over its reply; the first rule that does wins, and requests no
// rule takes get the normal reply. In order:
//
//   suspended   every main-port request while the account is suspended: 403 "account
//               suspended" (--suspend, --suspend-for, POST /__suspend on the control port)
//   oversize    GET|HEAD of an oversize path: 200 with a body of --oversize-bytes
//   wrong_type  GET|HEAD of a wrong-type path: 200 text/html with an HTML page
//   http_410    GET|HEAD of a 410 path: 410 "gone"
//   http_404    GET|HEAD of a 404 path: 404 "not found"
//   http_429    the 1st GET of a 429 path: 429 with Retry-After (seconds or HTTP date)
//   fail_first  GET n <= --fail-first of any /img/ path: --fail-status
//   reset       GET n == K+1 of a reset path: header, half the body, TCP reset
//   short       GET n == K+1 of a short path: header (full length), half the body, close
//   drip        GET n > K of a drip path (n == K+1 with --drip-once): the body, slowly
//
// where "x path" means path_fault(options, path) == x (shares.h: each /img/ path has at
// most one), n counts the GETs of the path since start or POST /__reset (requests answered
// while suspended are not counted) and K is --fail-first. So a one-shot fault fires on the
// first GET of its path that no rule above it took. A HEAD is answered as the next GET
// would be, without its body, and is not counted; the delivery faults (reset, short, drip)
// never take a HEAD. Paths outside /img/ and methods other than GET and HEAD meet only the
// suspension.
//
// To add a mode: its option in ProviderOptions, a share in shares.h if it picks paths, a
// rule function and a row in kRules (faults.cpp); delivery faults add a Delivery kind.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "provider/options.h"
#include "provider/reply.h"
#include "provider/shares.h"

namespace sluice {

struct FaultContext {
  const ProviderOptions& options;
  const RequestView& request;
  bool suspended = false;  // the account is suspended
  int64_t nth = 1;         // a GET: n; a HEAD: the n the next GET would get
  int64_t now_ms = 0;      // wall clock (Unix ms), for Retry-After as an HTTP date
};

struct FaultRule {
  std::string_view name;  // as counted in /__stats "faults"
  // `fault` is the request's path_fault (none unless it is a GET or HEAD of an /img/ path).
  std::optional<Reply> (*apply)(const FaultContext& context, PathFault fault);
};

struct FaultReply {
  std::string_view rule;  // the rule that took the request
  Reply reply;
};

// Every rule, in the order they are tried.
std::span<const FaultRule> fault_rules();

// The reply of the first rule that takes the request, if any.
std::optional<FaultReply> apply_faults(const FaultContext& context);

// Whether some rule looks at n under these options; if not, nothing needs counting per path.
bool faults_count_requests(const ProviderOptions& options);

// The page --share-wrong-type paths get.
std::string_view wrong_type_page();

}  // namespace sluice
