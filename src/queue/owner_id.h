// Lease owner ids: which queue handle holds a lease.
#pragma once

#include <string>

namespace sluice {

// "<pid>-<16 random hex digits>": unique per queue handle, readable in a lease dump.
std::string make_owner_id();

}  // namespace sluice
