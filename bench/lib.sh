# Shared helpers of the benchmark scripts (sourced, not run). Benchmarks are not tests:
# they print figures and ratios, and fail only when something did not work (a peer did not
# start, a file is missing or has the wrong bytes).
#
# Environment: SLUICE_BIN (default build/sluice, built if missing), BENCH_DIR (where the
# work folder goes, default $TMPDIR or /tmp), KEEP=1 keeps the work folder,
# BENCH_INSTALL=0 forbids installing missing peers with apt-get.
#
# Measured runs never delete anything (this disk slows file creation for minutes after a
# mass delete): every run writes into a fresh folder, and the whole work folder goes at
# the end.
set -euo pipefail

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ -z "${SLUICE_BIN:-}" ]; then
  [ -x "$BENCH_ROOT/build/sluice" ] || (cd "$BENCH_ROOT" && TARGETS=sluice bash scripts/build.sh)
  SLUICE_BIN=$BENCH_ROOT/build/sluice
fi
SLUICE=$SLUICE_BIN
BIN_DIR=$(cd "$(dirname "$SLUICE")" && pwd)
W=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/sluice-bench.XXXXXX")
BENCH_PIDS=()
bench_cleanup() {
  local rc=$?
  for p in "${BENCH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${BENCH_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "${KEEP:-0}" = 1 ] || [ $rc -ne 0 ]; then
    echo "bench: work folder kept in $W" >&2
  else
    rm -rf "$W"
  fi
}
trap bench_cleanup EXIT

die() {
  echo "bench: FAIL: $*" >&2
  exit 1
}

# need CMD PACKAGE: CMD must exist; installs PACKAGE from Debian when it does not (as root,
# unless BENCH_INSTALL=0).
need() {
  command -v "$1" > /dev/null 2>&1 && return 0
  [ "${BENCH_INSTALL:-1}" = 1 ] || die "$1 is missing (Debian package $2); BENCH_INSTALL=0 forbids installing it"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "bench: installing $2 (for $1)" >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$2" > /dev/null ||
    { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$2" > /dev/null; } ||
    die "could not install $2"
  command -v "$1" > /dev/null 2>&1 || die "$2 installed but $1 is still missing"
}
need /usr/bin/time time
need jq jq
need curl curl
need sha256sum coreutils

# need_peers PEER...: each peer (curl, wget2, aria2c) is installed, or installed now.
need_peers() {
  local p
  for p in "$@"; do
    case $p in
      curl) need curl curl ;;
      wget2) need wget2 wget2 ;;
      aria2c) need aria2c aria2 ;;
      *) die "unknown peer $p (curl, wget2, aria2c)" ;;
    esac
  done
}

# make_image_files N SIZE DIR: N files DIR/0000001.jpg ... of SIZE bytes each: JPEG SOI +
# APP0 marker, then text unique to the file.
make_image_files() {
  mkdir -p "$3"
  awk -v n="$1" -v size="$2" -v dir="$3" 'BEGIN {
    filler = ""
    while (length(filler) < size) filler = filler "sluice-bench-raw-0123456789abcdefghijklmnopqrstuvwxyz\n"
    for (i = 1; i <= n; i++) {
      tag = sprintf("%09d ", i)
      f = sprintf("%s/%07d.jpg", dir, i)
      printf "\377\330\377\340%s%s", tag, substr(filler, 1, size - 4 - length(tag)) > f
      close(f)
    }
  }'
}

# ideal_bin: the ideal-pool helper built beside the sluice binary (bench/ideal_pool.cpp).
ideal_bin() {
  local b=$BIN_DIR/sluice-bench-ideal
  if [ ! -x "$b" ]; then
    (cd "$BENCH_ROOT" && cmake --build "$BIN_DIR" --target sluice-bench-ideal > /dev/null) ||
      die "cannot build sluice-bench-ideal in $BIN_DIR"
  fi
  echo "$b"
}

# measure NAME CMD...: runs CMD with its output in $W/NAME.out and .err, and records in
# $W/NAME.m: wall seconds (bash's clock), user and system CPU seconds and peak RSS in KiB
# (GNU time, which reads the child's rusage: children of CMD included). Fails if CMD does.
measure() {
  local name=$1
  shift
  local t0 t1 rc=0
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%U %S %M' -o "$W/$name.time" "$@" > "$W/$name.out" 2> "$W/$name.err" || rc=$?
  t1=$EPOCHREALTIME
  if [ $rc -ne 0 ]; then
    echo "bench: $name exited $rc: $*" >&2
    tail -5 "$W/$name.err" >&2
    return $rc
  fi
  local user sys rss
  read -r user sys rss < <(tail -1 "$W/$name.time")
  awk -v a="$t0" -v b="$t1" -v u="$user" -v s="$sys" -v r="$rss" \
    'BEGIN { printf "%.3f %.2f %.2f %d\n", b - a, u, s, r }' > "$W/$name.m"
}

# m NAME FIELD: a figure recorded by measure (wall, user, sys, cpu = user + sys, rss_kib).
m() {
  local wall user sys rss
  read -r wall user sys rss < "$W/$1.m"
  case $2 in
    wall) echo "$wall" ;;
    user) echo "$user" ;;
    sys) echo "$sys" ;;
    cpu) awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }' ;;
    rss_kib) echo "$rss" ;;
    rss_mib) awk -v r="$rss" 'BEGIN { printf "%.1f", r / 1024 }' ;;
  esac
}

# cpu_ticks: "BUSY TOTAL STEAL" clock ticks of all of this machine's CPUs so far
# (/proc/stat; busy is everything but idle and iowait, steal included: time the hypervisor
# gave to other guests).
cpu_ticks() {
  awk '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t, $9 }' /proc/stat
}

# ratio A B [FMT]: A / B.
ratio() { awk -v a="$1" -v b="$2" -v f="${3:-%.3f}" 'BEGIN { if (b == 0) print "inf"; else printf f "\n", a / b }'; }

# start_provider ARGS...: `sluice provider` on ephemeral loopback ports. Sets ADDR, CONTROL.
start_provider() {
  local fd word
  exec {fd}< <(exec "$SLUICE" provider "$@")
  BENCH_PIDS+=($!)
  PROVIDER_PID=$!
  read -r -t 30 -u "$fd" word ADDR word CONTROL || die "provider did not start"
}
stop_provider() {
  kill "$PROVIDER_PID" 2>/dev/null || true
  wait "$PROVIDER_PID" 2>/dev/null || true
}

# machine: one line that says where the figures come from.
machine() {
  echo "machine: $(nproc) cores, $(free -h | awk '/^Mem:/ { print $2 " RAM" }'), kernel $(uname -r)," \
    "load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ)"
}
