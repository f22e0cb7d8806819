// The hashes everything the provider derives from a path is seeded by: which size, which
// filler bytes, which fault. Fully specified, so every run and platform agrees.
#pragma once

#include <cstdint>
#include <string_view>

namespace sluice {

// FNV-1a (64 bit) of the path: the seed of everything derived from a path.
uint64_t path_hash(std::string_view path);

// splitmix64's finaliser: a tiny, fully specified mixer.
uint64_t mix(uint64_t x);

// A number in [0, 1) fixed by (path, salt); different salts give independent draws.
double share_draw(std::string_view path, uint64_t salt);

// Whether the path falls in `share` of all paths for this salt: draw < share. A larger share
// keeps the smaller share's paths.
bool in_share(double share, std::string_view path, uint64_t salt);

}  // namespace sluice
