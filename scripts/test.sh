#!/usr/bin/env bash
# Builds sluice and runs every test: unit and system tests (CTest) on a normal build, then
# the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer.
# SKIP_SANITIZE=1 skips the second build.
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
