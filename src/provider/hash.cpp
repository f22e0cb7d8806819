#include "provider/hash.h"

namespace sluice {

uint64_t path_hash(std::string_view path) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : path) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

double share_draw(std::string_view path, uint64_t salt) {
  return static_cast<double>(mix(path_hash(path) ^ salt) >> 11) * 0x1.0p-53;
}

bool in_share(double share, std::string_view path, uint64_t salt) {
  return share > 0 && share_draw(path, salt) < share;
}

}  // namespace sluice
