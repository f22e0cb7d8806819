#include "provider/faults.h"

#include <array>

#include "provider/body.h"

namespace sluice {
namespace {

bool is_image_path(std::string_view path) { return path.starts_with("/img/"); }

// --suspend: after the first violation the partner refuses everything, as the real one did.
std::optional<Reply> suspended(const FaultContext& c) {
  if (!c.suspended) return std::nullopt;
  return text_reply(403, "account suspended");
}

// --share-404: a fixed share of image paths does not exist.
std::optional<Reply> missing(const FaultContext& c) {
  if (!is_image_path(c.request.path)) return std::nullopt;
  if (!answers_404(c.options.share_404, c.request.path)) return std::nullopt;
  return text_reply(404, "not found");
}

constexpr std::array<FaultRule, 2> kRules = {{
    {"suspended", &suspended},
    {"share_404", &missing},
}};

}  // namespace

std::span<const FaultRule> fault_rules() { return kRules; }

std::optional<Reply> apply_faults(const FaultContext& context) {
  for (const FaultRule& rule : kRules) {
    if (auto reply = rule.apply(context)) return reply;
  }
  return std::nullopt;
}

}  // namespace sluice
