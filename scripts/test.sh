#!/usr/bin/env bash
# Builds sluice and runs every test: unit and system tests (CTest) on a normal build, then
# the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer, then the binary
# alone as a packager builds it. SKIP_SANITIZE=1 skips the sanitizer build, SKIP_PACKAGER=1
# the packager build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
jobs=$(nproc)

echo "== build"
BUILD_DIR=build bash scripts/build.sh
echo "== tests (unit + system)"
ctest --test-dir build --output-on-failure -j "$jobs"

if [ "${SKIP_SANITIZE:-0}" != 1 ]; then
  echo "== sanitizer build (ASan + UBSan)"
  BUILD_DIR=build-asan BUILD_TYPE=Debug bash scripts/build.sh -DSLUICE_SANITIZE=ON
  echo "== unit tests under sanitizers"
  ctest --test-dir build-asan --output-on-failure -j "$jobs" -L unit
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
