#!/usr/bin/env bash
# Capped throughput: N URLs, cap 20, exponential latency with a 50 ms mean, against the
# bundled strict provider. Runs sluice (window), sluice --mode batch (the original
# batch-of-20 design) and curl --parallel --parallel-max 20 on the same work, and prints
# wall time, the ideal time N x mean / cap (Little's law) and efficiency = ideal / measured.
# Usage: bench/capped.sh [N]   (default 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-${N:-10000}}
CAP=${CAP:-20}
MEAN_MS=${MEAN_MS:-50}
SIZE=${SIZE:-2000-8000}
[ -x build/sluice ] || bash scripts/build.sh
SLUICE=$PWD/build/sluice
W=$(mktemp -d)
trap 'kill $PROVIDER_PID 2>/dev/null || true; rm -rf "$W"' EXIT

exec 3< <(exec "$SLUICE" provider --cap "$CAP" --suspend --latency "exp:$MEAN_MS" --size "$SIZE")
PROVIDER_PID=$!
read -r -u 3 _ ADDR _ CONTROL
awk -v n="$N" -v a="$ADDR" 'BEGIN { for (i = 1; i <= n; i++) printf "http://%s/img/%07d.jpg\n", a, i }' > "$W/urls.txt"
ideal=$(awk -v n="$N" -v m="$MEAN_MS" -v c="$CAP" 'BEGIN { printf "%.3f", n * m / 1000 / c }')
now() { date +%s.%N; }

report() {  # NAME START END
  local s wall
  s=$(curl -fsS "http://$CONTROL/__stats")
  wall=$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.3f", b - a }')
  printf '%-28s wall %8.3f s  ideal %7.3f s  efficiency %.3f  served %6s  max open %3s  max in flight %3s  violations %s\n' \
    "$1" "$wall" "$ideal" "$(awk -v i="$ideal" -v w="$wall" 'BEGIN { printf "%.3f", i / w }')" \
    "$(jq '.by_status["200"] // 0' <<<"$s")" "$(jq .max_open_connections <<<"$s")" \
    "$(jq .max_in_flight <<<"$s")" "$(jq .violations <<<"$s")"
  curl -fsS -X POST "http://$CONTROL/__reset" >/dev/null
}

echo "bench/capped: N=$N cap=$CAP latency exp:${MEAN_MS}ms size=$SIZE provider=$ADDR"
for mode in window batch; do
  "$SLUICE" --queue "$W/$mode.db" enqueue "$W/urls.txt" >/dev/null
  t0=$(now)
  "$SLUICE" --queue "$W/$mode.db" run --store "$W/$mode" --limit "$ADDR=$CAP" --allow-private \
    --mode "$mode" --progress off > /dev/null
  t1=$(now)
  report "sluice --mode $mode" "$t0" "$t1"
done

if curl --help all 2>/dev/null | grep -q -- '--parallel-max'; then
  sed 's/.*/url = "&"\noutput = "\/dev\/null"/' "$W/urls.txt" > "$W/curl.cfg"
  t0=$(now)
  curl -sS --no-progress-meter --parallel --parallel-max "$CAP" -K "$W/curl.cfg"
  t1=$(now)
  report "curl --parallel-max $CAP" "$t0" "$t1"
fi
