#!/usr/bin/env bash
# Builds sluice and runs every test: unit and system tests (CTest) on a normal build, then
# the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer, and the unit
# tests of the modules that run threads under ThreadSanitizer, then the binary alone as a
# packager builds it. The sanitizer builds build only the unit-test executables they run
# (no binary, no system tests), in Debug. SKIP_SANITIZE=1 skips both sanitizer builds,
# SKIP_TSAN=1 only the ThreadSanitizer one, SKIP_PACKAGER=1 the packager build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
jobs=$(nproc)

echo "== build"
BUILD_DIR=build bash scripts/build.sh
echo "== tests (unit + system)"
ctest --test-dir build --output-on-failure -j "$jobs"

if [ "${SKIP_SANITIZE:-0}" != 1 ]; then
  unit_targets=$(for d in tests/unit/*/; do printf 'unit_%s ' "$(basename "$d")"; done)
  echo "== sanitizer build (ASan + UBSan): $unit_targets"
  BUILD_DIR=build-asan BUILD_TYPE=Debug TARGETS="$unit_targets" bash scripts/build.sh \
    -DSLUICE_SANITIZE=address
  echo "== unit tests under ASan + UBSan"
  ctest --test-dir build-asan --output-on-failure -j "$jobs" -L unit

  if [ "${SKIP_TSAN:-0}" != 1 ]; then
    # The modules whose code or tests run more than one thread: the queue (handles on
    # several threads, the Redis lease keeper's thread), the store (put workers, the S3
    # loop), the fetcher (wakeups from other threads), the engine (store callbacks,
    # teardown), the worker's life (RedisLife's lease keeper), the CLI (signal watcher) and
    # the gate (RedisGate's snapshot from serve's threads).
    tsan_modules="queue store fetch engine worker cli gate"
    tsan_targets=$(for m in $tsan_modules; do printf 'unit_%s ' "$m"; done)
    echo "== ThreadSanitizer build: $tsan_targets"
    BUILD_DIR=build-tsan BUILD_TYPE=Debug TARGETS="$tsan_targets" bash scripts/build.sh \
      -DSLUICE_SANITIZE=thread
    echo "== unit tests under TSan"
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
  # A packager's plain Release build: no -Werror (SLUICE_WERROR is off unless asked for), so
  # a compiler's false positive (GCC 12's -Wrestrict at -O3) cannot break it. The binary
  # only, no tests; ccache, when installed, makes it cheap.
  echo "== packager build (Release, binary only)"
  launcher=()
  command -v ccache > /dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release -DSLUICE_TESTS=OFF "${launcher[@]}" > /dev/null
  cmake --build build-rel -j "$jobs" --target sluice
  build-rel/sluice --version
fi
