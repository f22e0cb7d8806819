#!/usr/bin/env bash
# Runs every benchmark at a tiny N so they cannot rot (tests/system/test_bench_smoke.sh
# runs this inside the test suite): each must finish, verify its files and print its
# ratios. The figures at this size mean nothing. Work folders go to /dev/shm when it is
# writable (no disk churn, fast clean-up), else $TMPDIR.
# Usage: bench/smoke.sh   (SLUICE_BIN as for every bench script)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${BENCH_DIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  export BENCH_DIR=/dev/shm
fi
log=$(mktemp "${BENCH_DIR:-${TMPDIR:-/tmp}}/sluice-bench-smoke.XXXXXX")
trap 'rm -f "$log"' EXIT

# check NAME PATTERN CMD...: CMD exits 0 and prints a line matching PATTERN.
check() {
  local name=$1 pattern=$2
  shift 2
  local t0=$SECONDS
  if ! "$@" > "$log" 2>&1; then
    cat "$log" >&2
    echo "smoke: FAIL: $name exited non-zero" >&2
    exit 1
  fi
  if ! grep -Eq "$pattern" "$log"; then
    cat "$log" >&2
    echo "smoke: FAIL: $name printed no line matching /$pattern/" >&2
    exit 1
  fi
  echo "smoke: ok: $name ($((SECONDS - t0)) s): $(grep -E "$pattern" "$log" | head -1)"
}

check capped '^ratio sluice-window vs ideal: [0-9.]+' \
  env CAP=5 MEAN_MS=5 PEERS="curl wget2 aria2c" bash "$here/capped.sh" 40
check raw '^ratio sluice vs best peer \(.*\) img/s: [0-9.]+' \
  env PEERS="wget2 curl aria2c" bash "$here/raw.sh" 60
check enqueue '^ratio sluice enqueue / bare insert \(wall\): [0-9.]+' bash "$here/enqueue.sh" 1000
check workers '^ratio redis-4 vs ideal: [0-9.]+' env CAP=5 MEAN_MS=5 bash "$here/workers.sh" 80
check memory '^ratio peak rss N=300 / N=100: [0-9.]+' env CAP=16 bash "$here/memory.sh" 100 300
echo "smoke: every benchmark ran"
