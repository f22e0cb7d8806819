# Shared helpers for system tests: run the real binary against real peers.
# Each test sources this, gets a fresh $T work dir, and is cleaned up on exit.
set -euo pipefail

SLUICE=${SLUICE_BIN:?SLUICE_BIN must point at the sluice binary}
T=$(mktemp -d "${TMPDIR:-/tmp}/sluice-test.XXXXXX")
PIDS=()
cleanup() {
  local rc=$?
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ $rc -eq 0 ]; then rm -rf "$T"; else echo "test failed; files kept in $T" >&2; fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# start_provider ARGS...: starts `sluice provider` on ephemeral ports and waits for its
# "listening HOST:PORT control HOST:CPORT" line (no sleeping). Sets ADDR, CONTROL, PROVIDER_PID.
start_provider() {
  exec {PFD}< <(exec "$SLUICE" provider "$@")
  PROVIDER_PID=$!
  PIDS+=("$PROVIDER_PID")
  local word
  read -r -t 30 -u "$PFD" word ADDR word CONTROL || fail "provider did not start"
}

stats() { curl -fsS "http://$CONTROL/__stats"; }
stat_of() { stats | jq -r "$1"; }
# stat_is JQ VALUE: a condition for wait_for, which must run the query again on every try.
stat_is() { [ "$(stat_of "$1")" = "$2" ]; }

# urls N [PREFIX]: N image URLs on the provider, one per line.
urls() {
  local n=$1 prefix=${2:-/img/}
  awk -v n="$n" -v addr="$ADDR" -v p="$prefix" 'BEGIN { for (i = 1; i <= n; i++) printf "http://%s%s%06d.jpg\n", addr, p, i }'
}

# check_cap CAP: the provider's own counts never went over CAP, and nothing was suspended.
check_cap() {
  local cap=$1 s
  s=$(stats)
  local mo mi v su
  mo=$(jq .max_open_connections <<<"$s"); mi=$(jq .max_in_flight <<<"$s")
  v=$(jq .violations <<<"$s"); su=$(jq .suspended <<<"$s")
  [ "$v" = 0 ] || fail "provider counted $v violations (max open $mo, max in flight $mi, cap $cap)"
  [ "$su" = false ] || fail "provider suspended the account"
  [ "$mo" -le "$cap" ] || fail "max open connections $mo > cap $cap"
  [ "$mi" -le "$cap" ] || fail "max in flight $mi > cap $cap"
  echo "provider: max open $mo, max in flight $mi, cap $cap, violations 0"
}

# verify_store DB DIR SIZE: every done job's object exists under DIR with the sha256 that the
# provider's own generator gives for its path, and the manifest agrees.
verify_store() {
  local db=$1 dir=$2 size=$3
  "$SLUICE" --queue "$db" export --format jsonl -o "$T/manifest.jsonl"
  jq -r 'select(.state=="done") | .url' "$T/manifest.jsonl" | sed -E 's|^http://[^/]+||' \
    | "$SLUICE" provider --size "$size" --print-sha256 | sort -k2 > "$T/expected"
  jq -r 'select(.state=="done") | "\(.sha256) \(.url)"' "$T/manifest.jsonl" \
    | sed -E 's| http://[^/]+| |' | sort -k2 > "$T/manifest-sums"
  diff -q "$T/expected" "$T/manifest-sums" >/dev/null ||
    fail "manifest sha256 differs from the provider's bodies: $(diff "$T/expected" "$T/manifest-sums" | head -5)"
  local bad=0
  while read -r sum key; do
    [ -f "$dir/$key" ] || { echo "missing object $dir/$key" >&2; bad=$((bad + 1)); continue; }
    [ "$(sha256sum < "$dir/$key" | cut -d' ' -f1)" = "$sum" ] || { echo "bad bytes $dir/$key" >&2; bad=$((bad + 1)); }
  done < <(jq -r 'select(.state=="done") | "\(.sha256) \(.key)"' "$T/manifest.jsonl")
  [ "$bad" = 0 ] || fail "$bad stored objects missing or wrong"
  local leftovers
  leftovers=$(find "$dir/.sluice-tmp" -type f 2>/dev/null | wc -l)
  [ "$leftovers" = 0 ] || fail "$leftovers temp files left in $dir/.sluice-tmp"
  echo "store: $(wc -l < "$T/expected") objects verified byte for byte"
}

# wait_for SECONDS CMD...: a bounded readiness poll (not synchronisation of an assertion:
# the caller checks the condition again afterwards).
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.05
  done
}

# expect_worker_ok PID NAME: the background worker PID ends (within 3 minutes; a zombie
# counts as ended) with exit status 0; its stderr is $T/NAME.err.
expect_worker_ok() {
  local rc=0
  wait_for 180 bash -c "! kill -0 $1 2>/dev/null || grep -q '^State:.*Z' /proc/$1/status" ||
    fail "$2 still running after 3 minutes"
  wait "$1" || rc=$?
  [ "$rc" = 0 ] || fail "$2 exited $rc: $(tail -5 "$T/$2.err")"
}

# count STATE DB: jobs in a state, from `sluice status --json`.
count() { "$SLUICE" --queue "$2" status --json | jq ".all.$1"; }

# start_redis ARGS...: starts redis-server on 127.0.0.1 and a free port, with its files in
# $T/redis, and waits (a bounded poll of PING) until it answers. Extra ARGS go to
# redis-server (--appendonly yes ...). Sets REDIS_PORT, REDIS_PID, REDIS_URL. A server that
# cannot start fails the test.
start_redis() {
  command -v redis-server > /dev/null || fail "redis-server not found (Debian package redis-server)"
  mkdir -p "$T/redis"
  REDIS_ARGS=("$@")
  local try
  for try in 1 2 3 4 5; do
    REDIS_PORT=$((20000 + RANDOM % 40000))
    launch_redis && return 0
  done
  fail "redis-server did not start: $(tail -5 "$T/redis/redis.log")"
}

# launch_redis: (re)starts redis-server on $REDIS_PORT with $REDIS_ARGS; false if it exits.
launch_redis() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --dir "$T/redis" \
    --daemonize no --logfile "$T/redis/redis.log" "${REDIS_ARGS[@]}" &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
  local deadline=$((SECONDS + 20))
  while [ $SECONDS -lt $deadline ]; do
    [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && return 0
    kill -0 "$REDIS_PID" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# restart_redis: kill -9 the server and start it again on the same port and files.
restart_redis() {
  kill -9 "$REDIS_PID"
  wait "$REDIS_PID" 2>/dev/null || true
  launch_redis || fail "redis-server did not restart: $(tail -5 "$T/redis/redis.log")"
}
