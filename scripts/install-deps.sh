#!/usr/bin/env bash
# Installs what sluice needs to build and test, from Debian's archive (and s3rver and
# playwright-core from npm). Idempotent: does nothing when everything is present. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libcurl4-openssl-dev libsqlite3-dev libssl-dev nlohmann-json3-dev libcli11-dev
  libcpp-httplib-dev libboost-dev libhiredis-dev libgtest-dev libgmock-dev libcsv-dev
  libjemalloc-dev  # the sluice binary's malloc (optional for a build: CMakeLists.txt)
  curl jq sqlite3 ca-certificates ccache time
  # sluice serve's tests: promtool and a Prometheus server, a browser for the dashboard,
  # Ruby for the README's client example, python3 to find free ports.
  prometheus chromium ruby python3
  # peers of the benchmarks (bench/), which tests/system/test_bench_smoke.sh runs at a tiny N
  nginx-light wget2 aria2 time
  redis-server  # the Redis queue's tests start their own (it brings redis-cli)
)

# Node.js and npm run the S3 test server (s3rver, below), unless an npm is already there
# (a Node.js from elsewhere brings its own and conflicts with Debian's npm package).
command -v npm > /dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# s3rver, the S3-compatible server the S3 system tests run against, pinned, into .tools/
# of this checkout (gitignored); only when that version is not already there.
S3RVER_VERSION=3.7.1
tools="$(cd "$(dirname "$0")/.." && pwd)/.tools"
installed=$(node -p "require('$tools/node_modules/s3rver/package.json').version" 2>/dev/null || true)
if [ "$installed" = "$S3RVER_VERSION" ] && [ -x "$tools/node_modules/.bin/s3rver" ]; then
  echo "install-deps: s3rver $S3RVER_VERSION present"
else
  echo "install-deps: installing s3rver $S3RVER_VERSION into $tools"
  npm install --prefix "$tools" --no-audit --no-fund --loglevel=error "s3rver@$S3RVER_VERSION"
fi

# playwright-core drives Debian's chromium in the dashboard test (no browser download).
PLAYWRIGHT_VERSION=1.65.1
installed=$(node -p "require('$tools/node_modules/playwright-core/package.json').version" 2>/dev/null || true)
if [ "$installed" = "$PLAYWRIGHT_VERSION" ]; then
  echo "install-deps: playwright-core $PLAYWRIGHT_VERSION present"
else
  echo "install-deps: installing playwright-core $PLAYWRIGHT_VERSION into $tools"
  npm install --prefix "$tools" --no-audit --no-fund --loglevel=error \
    "playwright-core@$PLAYWRIGHT_VERSION"
fi
