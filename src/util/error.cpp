#include "util/error.h"

#include <array>

namespace sluice {
namespace {

// clang-format off
constexpr std::array<std::string_view, 31> kNames = {
    "ok",           "http",         "bad_url",           "blocked_address",
    "dns",          "connect",      "timeout",           "reset",
    "truncated",    "too_large",    "not_image",         "too_many_redirects",
    "tls",          "network",      "store_io",          "store_denied",
    "gate_refused", "cancelled",    "internal",          "bad_input",
    "io",           "bad_key",      "bad_framing",       "headers_too_large",
    "bad_status",   "queue_unavailable", "redis",        "disk_full",
    "read_only",    "local_denied", "local_io",
};
// clang-format on

}  // namespace

std::string_view reason_name(Reason r) {
  auto i = static_cast<size_t>(r);
  return i < kNames.size() ? kNames[i] : "internal";
}

bool reason_from_name(std::string_view name, Reason* out) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) {
      *out = static_cast<Reason>(i);
      return true;
    }
  }
  return false;
}

std::string Error::code() const {
  if (reason == Reason::http_status) return "http_" + std::to_string(http_status);
  return std::string(reason_name(reason));
}

std::string Error::to_string() const { return detail.empty() ? code() : code() + ": " + detail; }

Error make_error(Reason r, std::string detail) { return Error{r, 0, std::move(detail)}; }

Error http_error(int status, std::string detail) {
  return Error{Reason::http_status, status, std::move(detail)};
}

ErrorClass classify(const Error& e) {
  switch (e.reason) {
    case Reason::ok:
      return ErrorClass::none;
    case Reason::http_status:
      if (e.http_status == 429 || e.http_status == 503) return ErrorClass::slow_down;
      if (e.http_status >= 500) return ErrorClass::transient;
      if (e.http_status == 408) return ErrorClass::transient;
      // A suspended account or a provider in trouble answers 401/403 to everything; one
      // forbidden object looks the same. Retried (attempts are charged) so the circuit
      // breaker can tell the two apart; a lasting 403 still ends dead after max attempts.
      if (e.http_status == 401 || e.http_status == 403) return ErrorClass::transient;
      return ErrorClass::permanent;
    case Reason::bad_url:
    case Reason::blocked_address:
    case Reason::too_large:
    case Reason::not_image:
    case Reason::too_many_redirects:
    case Reason::bad_input:
    case Reason::bad_key:
    // A broken response is broken the same way next time; `dlq replay` brings it back.
    case Reason::bad_framing:
    case Reason::headers_too_large:
    case Reason::bad_status:
      return ErrorClass::permanent;
    case Reason::dns:
    case Reason::connect:
    case Reason::timeout:
    case Reason::reset:
    case Reason::truncated:
    case Reason::tls:
    case Reason::network:
    case Reason::internal:
    case Reason::io:
    case Reason::queue_unavailable:
    case Reason::redis:
      return ErrorClass::transient;
    case Reason::store_io:
    case Reason::store_denied:
      return ErrorClass::storage;
    case Reason::gate_refused:
    case Reason::cancelled:
      return ErrorClass::free_retry;
    case Reason::disk_full:
    case Reason::read_only:
    case Reason::local_denied:
    case Reason::local_io:
      return ErrorClass::local;
  }
  return ErrorClass::transient;
}

}  // namespace sluice
