// Which share fault an /img/ path has: a pure function of (options, path). Each --share-*
// flag picks its share of paths by the path's hash with a salt of its own, so the shares
// are independent draws; a path picked by more than one gets the first in the order of
// PathFault below (the fault table's order), so it has at most one. A share's effective
// size is therefore its flag times the shares of the modes before it that missed.
#pragma once

#include <string_view>

#include "provider/options.h"

namespace sluice {

enum class PathFault {
  none,
  oversize,    // --share-oversize
  wrong_type,  // --share-wrong-type
  http_410,    // --share-410
  http_404,    // --share-404
  http_429,    // --share-429
  reset,       // --share-reset
  cut,         // --share-short
  drip,        // --share-drip
};

PathFault path_fault(const ProviderOptions& options, std::string_view path);

// "none", "oversize", "wrong_type", "http_410", "http_404", "http_429", "reset", "short",
// "drip": the fault table's rule names, as counted in /__stats "faults".
std::string_view path_fault_name(PathFault fault);

}  // namespace sluice
