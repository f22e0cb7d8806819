// Fault modes: the ways the provider misbehaves on purpose, as one table. Each rule looks
// at a request and may take over its reply; the first rule that does wins, and requests no
// rule takes get the normal reply. To add a mode (fail-first-K, 429 with Retry-After,
// reset mid-body, short body, slow drip, oversized, wrong content type, timed
// suspension): add its option to ProviderOptions, whatever state it needs to
// FaultContext, a rule function and a row in kRules (faults.cpp); delivery faults also
// add a field to Reply for the Session.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "provider/options.h"
#include "provider/reply.h"

namespace sluice {

struct FaultContext {
  const ProviderOptions& options;
  const RequestView& request;
  bool suspended = false;  // the account is suspended (--suspend after a violation)
};

struct FaultRule {
  std::string_view name;
  std::optional<Reply> (*apply)(const FaultContext& context);
};

// Every rule, in the order they are tried.
std::span<const FaultRule> fault_rules();

// The reply of the first rule that takes the request, if any.
std::optional<Reply> apply_faults(const FaultContext& context);

}  // namespace sluice
