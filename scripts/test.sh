#!/usr/bin/env bash
# Builds sluice and runs every test:
#   1. the binary (Release, -Werror, as scripts/build.sh makes it) and the system tests, which
#      run it against real peers (the bundled provider, nginx, Redis, s3rver, Prometheus);
#   2. every unit test under AddressSanitizer + UndefinedBehaviorSanitizer (Debug);
#   3. the unit tests of the modules that run threads under ThreadSanitizer (Debug);
#   4. the binary as a packager builds it (plain `cmake -DCMAKE_BUILD_TYPE=Release`, no
#      -Werror, no tests).
# The unit tests run in the sanitizer builds only: compiling them a third time, optimised,
# would double a cold build's time on two cores and find nothing the sanitizers do not.
# The sanitizer builds are unity builds (CMake compiles up to 8 files of a target as one):
# the test files share heavy headers (GoogleTest, nlohmann/json, cpp-httplib), and one
# compile of 8 took a quarter of the time of 8 compiles (29 test files under ASan: 94 s
# against 356 s). Each file is still compiled alone in the main build (src/) and by
# `cmake --build build` (everything); names local to a file must not clash within its
# target (a test's helpers live in a namespace named after its file when they would).
# SKIP_SANITIZE=1 skips both sanitizer builds, SKIP_TSAN=1 only the ThreadSanitizer one,
# SKIP_PACKAGER=1 the packager build.
#
# ccache (installed by install-deps.sh) caches every compile. Paths are hashed relative to
# the checkout (CCACHE_BASEDIR) and -Werror is left out of the hash (CCACHE_IGNOREOPTIONS),
# so the packager build (4) reuses the objects of (1), which compiled the same files with
# the same flags plus -Werror: a file that warns never got that far, so no cached result
# carries a warning -Werror would have refused.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
jobs=$(nproc)
export CCACHE_BASEDIR=$PWD
export CCACHE_IGNOREOPTIONS=-Werror
# stage NAME: prints NAME with the seconds the previous stage took.
stage() {
  echo "== $1 (previous stage: $((SECONDS - ${stage_start:-0})) s, total ${SECONDS} s)"
  stage_start=$SECONDS
}

stage "build (the binary and the benchmarks' helper, for the system tests)"
BUILD_DIR=build TARGETS="sluice sluice-bench-ideal" bash scripts/build.sh
stage "system tests"
# The unit tests show as unlabelled *_NOT_BUILT placeholders here; they run below.
ctest --test-dir build --output-on-failure -j "$jobs" -L system

if [ "${SKIP_SANITIZE:-0}" != 1 ]; then
  unit_targets=$(for d in tests/unit/*/; do printf 'unit_%s ' "$(basename "$d")"; done)
  stage "sanitizer build (ASan + UBSan): $unit_targets"
  BUILD_DIR=build-asan BUILD_TYPE=Debug TARGETS="$unit_targets" bash scripts/build.sh \
    -DSLUICE_SANITIZE=address -DCMAKE_UNITY_BUILD=ON
  stage "unit tests under ASan + UBSan"
  ctest --test-dir build-asan --output-on-failure -j "$jobs" -L unit

  if [ "${SKIP_TSAN:-0}" != 1 ]; then
    # The modules whose code or tests run more than one thread: the queue (handles on
    # several threads, the Redis lease keeper's thread), the store (put workers, the S3
    # loop), the fetcher (wakeups from other threads), the engine (store callbacks,
    # teardown), the worker's life (RedisLife's lease keeper), the CLI (signal watcher) and
    # the gate (RedisGate's snapshot from serve's threads).
    tsan_modules="queue store fetch engine worker cli gate"
    tsan_targets=$(for m in $tsan_modules; do printf 'unit_%s ' "$m"; done)
    stage "ThreadSanitizer build: $tsan_targets"
    BUILD_DIR=build-tsan BUILD_TYPE=Debug TARGETS="$tsan_targets" bash scripts/build.sh \
      -DSLUICE_SANITIZE=thread -DCMAKE_UNITY_BUILD=ON
    stage "unit tests under TSan"
    # Only the executables built above have tests registered under the label "unit" (the
    # others show as unlabelled *_NOT_BUILT placeholders). A report fails its test (exit
    # code 66). The queue's scale test is cut to a size TSan's slowdown keeps in time.
    # tests/tsan.supp: only cpp-httplib, a Debian shared library TSan cannot see into.
    TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp" \
      SLUICE_QUEUE_SCALE_JOBS=20000 \
      ctest --test-dir build-tsan --output-on-failure -j "$jobs" -L unit
  fi
fi

if [ "${SKIP_PACKAGER:-0}" != 1 ]; then
  # A packager's plain Release build: the default generator, no -Werror (SLUICE_WERROR is
  # off unless asked for), so a compiler's false positive cannot break it. The binary only.
  stage "packager build (Release, binary only)"
  launcher=()
  command -v ccache > /dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release -DSLUICE_TESTS=OFF "${launcher[@]}" > /dev/null
  cmake --build build-rel -j "$jobs" --target sluice
  build-rel/sluice --version
fi
stage "done"
