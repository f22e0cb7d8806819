#include "cli/app.h"

#ifdef SLUICE_WITH_JEMALLOC
// jemalloc's settings, read at its start (MALLOC_CONF in the environment still applies on
// top). One arena: sluice's threads allocate little besides the engine's. Freed pages go
// back within a second instead of ten, so peak RSS stays flat over a long run (bench/
// memory.sh: 1,000,000 jobs peaked at 37.8 MiB with the defaults, 33.1 MiB with these).
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf = "narenas:1,dirty_decay_ms:1000,muzzy_decay_ms:0";
}
#endif

int main(int argc, char** argv) { return sluice::cli_main(argc, argv); }
