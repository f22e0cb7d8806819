#include "queue/owner_id.h"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <random>

namespace sluice {

std::string make_owner_id() {
  std::random_device rd;
  uint64_t r = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  char buf[64];
  std::snprintf(buf, sizeof buf, "%ld-%016llx", static_cast<long>(::getpid()),
                static_cast<unsigned long long>(r));
  return buf;
}

}  // namespace sluice
