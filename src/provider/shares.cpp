#include "provider/shares.h"

#include "provider/body.h"
#include "provider/hash.h"

namespace sluice {
namespace {

// One salt per mode (ASCII of its name), so no two shares pick the same paths. --share-404
// keeps the salt it has in body.cpp (answers_404), so its paths are what they always were.
constexpr uint64_t kOversizeSalt = 0x6f76657273697a65ull;  // "oversize"
constexpr uint64_t kWrongTypeSalt = 0x77726f6e67ull;       // "wrong"
constexpr uint64_t kGoneSalt = 0x343130ull;                // "410"
constexpr uint64_t kSlowDownSalt = 0x343239ull;            // "429"
constexpr uint64_t kResetSalt = 0x7265736574ull;           // "reset"
constexpr uint64_t kShortSalt = 0x73686f7274ull;           // "short"
constexpr uint64_t kDripSalt = 0x64726970ull;              // "drip"

}  // namespace

PathFault path_fault(const ProviderOptions& o, std::string_view path) {
  if (in_share(o.share_oversize, path, kOversizeSalt)) return PathFault::oversize;
  if (in_share(o.share_wrong_type, path, kWrongTypeSalt)) return PathFault::wrong_type;
  if (in_share(o.share_410, path, kGoneSalt)) return PathFault::http_410;
  if (answers_404(o.share_404, path)) return PathFault::http_404;
  if (in_share(o.share_429, path, kSlowDownSalt)) return PathFault::http_429;
  if (in_share(o.share_reset, path, kResetSalt)) return PathFault::reset;
  if (in_share(o.share_short, path, kShortSalt)) return PathFault::cut;
  if (in_share(o.share_drip, path, kDripSalt)) return PathFault::drip;
  return PathFault::none;
}

std::string_view path_fault_name(PathFault fault) {
  switch (fault) {
    case PathFault::none:
      return "none";
    case PathFault::oversize:
      return "oversize";
    case PathFault::wrong_type:
      return "wrong_type";
    case PathFault::http_410:
      return "http_410";
    case PathFault::http_404:
      return "http_404";
    case PathFault::http_429:
      return "http_429";
    case PathFault::reset:
      return "reset";
    case PathFault::cut:
      return "short";
    case PathFault::drip:
      return "drip";
  }
  return "none";
}

}  // namespace sluice
