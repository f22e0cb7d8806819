#!/usr/bin/env bash
# Many workers, one cap (issue 9): N image URLs on the bundled strict provider (cap CAP,
# --suspend), exponential latency, fetched by 1, 2 and 4 `sluice run` workers sharing one
# Redis queue and its global per-host cap (every worker is given --limit HOST=CAP: the cap
# is the provider's, and the workers share it through Redis). Beside them, one embedded
# worker (SQLite + folder) on the same work. Each contender gets a fresh provider with the
# same --seed, so the k-th request sees the same latency, and a fresh store folder.
#
# Reference: the ideal FIFO pool of CAP slots on the provider's own latency samples
# (sluice-bench-ideal, as in capped.sh). efficiency = ideal / measured wall time, the wall
# time running from the first worker's start to the last one's exit. A contender whose
# files are not all there with the provider's bytes, that the provider counted over the
# cap, or that was not served N images with 200 (an image fetched twice) is INVALID.
#
# Usage: bench/workers.sh [N]   (N default 4000; CAP=20 MEAN_MS=25 SIZE=2000-8000 SEED=1;
#        WORKERS="1 2 4" LEASE_TTL=10)
source "$(dirname "$0")/lib.sh"
N=${1:-${N:-4000}}
CAP=${CAP:-20}
MEAN_MS=${MEAN_MS:-25}
SIZE=${SIZE:-2000-8000}
SEED=${SEED:-1}
WORKERS=${WORKERS:-1 2 4}
LEASE_TTL=${LEASE_TTL:-10}
need redis-server redis-server
need redis-cli redis-server

read -r _ ideal _ _ _ _ _ _ < <("$(ideal_bin)" --n "$N" --cap "$CAP" --latency "exp:$MEAN_MS" --seed "$SEED")
machine
echo "bench/workers: N=$N cap=$CAP (shared by every worker) latency exp:${MEAN_MS}ms seed=$SEED size=$SIZE lease-ttl=${LEASE_TTL}s"
echo "ideal FIFO pool of $CAP slots on the provider's own samples: $ideal s"

awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) printf "/img/%07d.jpg\n", i }' |
  "$SLUICE" provider --size "$SIZE" --print-sha256 |
  awk '{ sub(".*/", "", $2); print $1 "  " $2 }' | LC_ALL=C sort > "$W/expected"

# A redis-server of our own on a free loopback port, no persistence (nothing here is kept).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$W/redis"
redis-server --bind 127.0.0.1 --port "$port" --dir "$W/redis" --save "" --appendonly no \
  --logfile "$W/redis/redis.log" &
BENCH_PIDS+=($!)
for _ in $(seq 1 100); do
  redis-cli -p "$port" ping > /dev/null 2>&1 && break
  sleep 0.1  # a bounded start-up poll, not a measurement
done
redis-cli -p "$port" ping > /dev/null 2>&1 || die "redis-server did not start: $(tail -3 "$W/redis/redis.log")"

verify_dir() {
  (cd "$1" && find . -maxdepth 1 -type f -printf '%f\0' | xargs -0 -r sha256sum) | LC_ALL=C sort > "$1.sums"
  cmp -s "$W/expected" "$1.sums"
}

# run_workers NAME K QUEUE: K workers on QUEUE into $W/out-NAME, measured together.
run_workers() {
  local name=$1 k=$2 q=$3 i
  local pids=() t0 t1 rc=0
  t0=$EPOCHREALTIME
  for i in $(seq 1 "$k"); do
    "$SLUICE" --queue "$q" run --store "$W/out-$name" --limit "$ADDR=$CAP" --allow-private \
      --progress off ${REDIS_ARGS:-} > "$W/$name-w$i.out" 2> "$W/$name-w$i.err" &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do wait "${pids[$i]}" || { rc=$?; echo "bench: $name worker $((i + 1)) exited $rc" >&2; tail -3 "$W/$name-w$((i + 1)).err" >&2; }; done
  t1=$EPOCHREALTIME
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' > "$W/$name.wall"
  return $rc
}

INVALID=()
report() {
  local name=$1 ok=$2 why=$3
  local s served viol mo mi wall eff
  s=$(curl -fsS "http://$CONTROL/__stats")
  stop_provider
  served=$(jq '.by_status["200"] // 0' <<< "$s")
  viol=$(jq .violations <<< "$s")
  mo=$(jq .max_open_connections <<< "$s")
  mi=$(jq .max_in_flight <<< "$s")
  [ "$served" = "$N" ] || { ok=no; why="$why served $served of $N;"; }
  [ "$viol" = 0 ] || { ok=no; why="$why $viol violations;"; }
  verify_dir "$W/out-$name" || { ok=no; why="$why files missing or wrong;"; }
  wall=$(cat "$W/$name.wall")
  eff=$(ratio "$ideal" "$wall")
  printf '%-12s wall %8.3f s  efficiency %6s  max open %3s  max in flight %3s  violations %s' \
    "$name" "$wall" "$eff" "$mo" "$mi" "$viol"
  if [ "$ok" = yes ]; then echo; else echo "  INVALID ($why)"; INVALID+=("$name"); fi
  eval "EFF_${name//[^a-zA-Z0-9]/_}=$eff"
}

fresh_provider() {
  start_provider --cap "$CAP" --suspend --latency "exp:$MEAN_MS" --size "$SIZE" --seed "$SEED"
  awk -v n="$N" -v a="$ADDR" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"id\":\"%07d\",\"url\":\"http://%s/img/%07d.jpg\"}\n", i, a, i }' > "$W/jobs.jsonl"
}

# The embedded default: one worker, SQLite + folder.
fresh_provider
"$SLUICE" --queue "$W/embedded.db" enqueue "$W/jobs.jsonl" > /dev/null
ok=yes why=""
run_workers embedded 1 "$W/embedded.db" || { ok=no why="exit status;"; }
report embedded $ok "$why"

db=0
for k in $WORKERS; do
  db=$((db + 1))
  fresh_provider
  q="redis://127.0.0.1:$port/$db"
  "$SLUICE" --queue "$q" enqueue "$W/jobs.jsonl" > /dev/null
  ok=yes why=""
  REDIS_ARGS="--lease-ttl $LEASE_TTL" run_workers "redis-$k" "$k" "$q" || { ok=no why="exit status;"; }
  report "redis-$k" $ok "$why"
done

for k in $WORKERS; do
  v=EFF_redis_$k
  echo "ratio redis-$k vs ideal: ${!v} (target >= 0.90)"
done
if [ -n "${EFF_redis_1:-}" ]; then
  echo "ratio redis-1 vs embedded: $(ratio "$EFF_redis_1" "$EFF_embedded") (the cost of Redis for one worker)"
fi
[ ${#INVALID[@]} -eq 0 ] || die "invalid runs (broke the cap or did not fetch every file once): ${INVALID[*]}"
