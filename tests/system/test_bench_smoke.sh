#!/usr/bin/env bash
# The benchmarks (bench/) at a tiny N: each must still run end to end, verify every file it
# fetched, and print its ratios. Their peers (nginx, wget2, aria2c) come from
# scripts/install-deps.sh.
source "$(dirname "$0")/lib.sh"
BENCH_INSTALL=0 bash "$(dirname "$0")/../../bench/smoke.sh" || fail "a benchmark script broke"
pass "every benchmark script runs"
