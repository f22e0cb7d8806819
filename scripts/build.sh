#!/usr/bin/env bash
# Configures and builds sluice into build/ (or $BUILD_DIR), with extra CMake args.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
# ccache, when installed, makes rebuilds in other checkouts of the tree cheap.
launcher=()
command -v ccache > /dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# Release by default: the build a packager makes (scripts/test.sh relies on it to build the
# packager's check from the same compiled objects).
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} \
  -DSLUICE_WERROR=ON "${launcher[@]}" "$@" >/dev/null
# TARGETS: what to build (default: everything, tests included).
cmake --build "$BUILD_DIR" -j "$(nproc)" ${TARGETS:+--target $TARGETS}
