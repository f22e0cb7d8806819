// The policy every download handle gets: HTTP/1.1 with keep-alive, http/https only, TLS
// verification, timeouts, no proxy, no content decoding. Per-transfer callbacks and the
// URL are set by Transfer.
#pragma once

#include <curl/curl.h>

#include "fetch/fetcher.h"
#include "util/error.h"

namespace sluice {

[[nodiscard]] Status configure_easy(CURL* easy, const FetchOptions& options);

// Multi-handle options: no pipelining or multiplexing, the connection cache size.
[[nodiscard]] Status configure_multi(CURLM* multi, const FetchOptions& options);

}  // namespace sluice
