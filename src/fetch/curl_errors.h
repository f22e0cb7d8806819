// How a libcurl transfer failure maps to a sluice reason code. The socket-level
// refusals (blocked_address, gate_refused) and size aborts (too_large) are known only to
// the transfer and are decided there; this is the plain table.
#pragma once

#include <curl/curl.h>

#include "util/error.h"

namespace sluice {

Reason reason_for_curl_code(CURLcode code);

}  // namespace sluice
