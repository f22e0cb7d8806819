// Raises this process's open-file limit, so the provider can hold thousands of connections.
#pragma once

#include <cstdint>

namespace sluice {

// Sets RLIMIT_NOFILE's soft limit to its hard limit; returns the limit now in force.
uint64_t raise_open_file_limit();

}  // namespace sluice
