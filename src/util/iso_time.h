// The one text form of a stored timestamp (milliseconds since the epoch, UTC), shared by
// the commands that print jobs and the HTTP API.
#pragma once

#include <cstdint>
#include <string>

namespace sluice {

// "2026-11-25T21:23:34.493Z"; "" for 0 (never set).
std::string iso_time(int64_t ms);

}  // namespace sluice
