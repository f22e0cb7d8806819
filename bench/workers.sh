#!/usr/bin/env bash
# Many workers, one cap (issue 9): N image URLs on the bundled strict provider (cap CAP,
# --suspend, exponential latency), fetched by 1, 2 and 4 `sluice run` workers on one Redis
# queue, each with --limit HOST=CAP: the cap is global (RedisGate), so together they may
# never hold more than CAP slots. Each run gets a fresh provider with the same --seed and
# a fresh Redis database. Reference: the ideal FIFO pool of CAP slots on the provider's own
# latency samples (sluice-bench-ideal); efficiency = ideal / measured wall time. A run whose
# provider counted a violation, or whose files are not all there with the provider's bytes,
# is INVALID.
#
# Usage: bench/workers.sh [N]   (N default 4000; CAP=20 MEAN_MS=50 SIZE=2000-8000 SEED=1
#        WORKERS="1 2 4" LEASE_TTL=10)
source "$(dirname "$0")/lib.sh"
N=${1:-${N:-4000}}
CAP=${CAP:-20}
MEAN_MS=${MEAN_MS:-50}
SIZE=${SIZE:-2000-8000}
SEED=${SEED:-1}
WORKERS=${WORKERS:-1 2 4}
LEASE_TTL=${LEASE_TTL:-10}
need redis-server redis-server

read -r _ ideal _ _ _ _ _ _ < <("$(ideal_bin)" --n "$N" --cap "$CAP" --latency "exp:$MEAN_MS" --seed "$SEED")
machine
echo "bench/workers: N=$N cap=$CAP latency exp:${MEAN_MS}ms seed=$SEED size=$SIZE lease TTL ${LEASE_TTL}s"
echo "ideal FIFO pool of $CAP slots on the provider's own samples: $ideal s"

awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) printf "/img/%07d.jpg\n", i }' |
  "$SLUICE" provider --size "$SIZE" --print-sha256 |
  awk '{ sub(".*/", "", $2); print $1 "  " $2 }' | LC_ALL=C sort > "$W/expected"

# A Redis server of the bench's own on a free loopback port.
mkdir -p "$W/redis"
for try in 1 2 3 4 5; do
  REDIS_PORT=$((20000 + RANDOM % 40000))
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --dir "$W/redis" \
    --appendonly yes --appendfsync always --daemonize no --logfile "$W/redis/redis.log" &
  BENCH_PIDS+=($!)
  ok=no
  for _ in $(seq 100); do
    [ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && { ok=yes; break; }
    kill -0 "${BENCH_PIDS[-1]}" 2>/dev/null || break
    sleep 0.05
  done
  [ $ok = yes ] && break
done
[ $ok = yes ] || die "redis-server did not start: $(tail -3 "$W/redis/redis.log")"

FAILED=()
for w in $WORKERS; do
  start_provider --cap "$CAP" --suspend --latency "exp:$MEAN_MS" --size "$SIZE" --seed "$SEED"
  q="redis://127.0.0.1:$REDIS_PORT/$w"
  awk -v n="$N" -v a="$ADDR" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"id\":\"%07d\",\"url\":\"http://%s/img/%07d.jpg\"}\n", i, a, i }' > "$W/jobs-$w.jsonl"
  "$SLUICE" --queue "$q" enqueue "$W/jobs-$w.jsonl" --id-field id > /dev/null
  dir=$W/out-$w
  cat > "$W/workers-$w.sh" <<W
pids=()
for i in \$(seq 1 $w); do
  "$SLUICE" --queue "$q" run --store "$dir" --limit "$ADDR=$CAP" --allow-private --progress off \
    --lease-ttl $LEASE_TTL > "$W/w$w-\$i.out" 2> "$W/w$w-\$i.err" &
  pids+=(\$!)
done
rc=0
for p in "\${pids[@]}"; do wait "\$p" || rc=1; done
exit \$rc
W
  name="workers-$w"
  ok=yes
  why=()
  measure "$name" bash "$W/workers-$w.sh" || { ok=no; why+=("a worker failed"); }
  s=$(curl -fsS "http://$CONTROL/__stats")
  stop_provider
  served=$(jq '.by_status["200"] // 0' <<< "$s")
  viol=$(jq .violations <<< "$s")
  [ "$viol" = 0 ] || { ok=no; why+=("$viol violations"); }
  (cd "$dir" && find . -maxdepth 1 -type f -printf '%f\0' | xargs -0 -r sha256sum) | LC_ALL=C sort > "$dir.sums"
  cmp -s "$W/expected" "$dir.sums" || { ok=no; why+=("files missing or wrong"); }
  wall=$(m "$name" wall)
  printf '%-10s wall %8.3f s  efficiency %6s  cpu %6.2f s  served %5s  connections %5s  max open %3s  max in flight %3s  violations %s' \
    "$name" "$wall" "$(ratio "$ideal" "$wall")" "$(m "$name" cpu)" "$served" "$(jq .connections_total <<< "$s")" \
    "$(jq .max_open_connections <<< "$s")" "$(jq .max_in_flight <<< "$s")" "$viol"
  if [ $ok = yes ]; then echo; else echo "  INVALID (${why[*]})"; FAILED+=("$name"); fi
done
[ ${#FAILED[@]} -eq 0 ] || die "did not finish the work correctly: ${FAILED[*]}"
