#!/usr/bin/env bash
# Capped throughput (issue 8, target 1): N image URLs on the bundled strict provider (cap
# CAP, --suspend: one connection too many and it answers 403 to everything), exponential
# latency. sluice (window), sluice --mode batch (the original batch-of-CAP design), curl
# --parallel, wget2 and aria2c fetch the same N URLs into fresh folders, each against a
# fresh provider with the same --seed, so each sees the same latency for its k-th request.
#
# Reference: an ideal FIFO pool of CAP slots fed those very latency samples (request k
# starts the moment a slot frees, no client or network time), computed by
# sluice-bench-ideal (bench/ideal_pool.cpp) through the provider's own sampler. Little's
# law (N x mean / CAP) is printed beside it. efficiency = ideal / measured wall time; a
# contender that was not served N images with 200, whose files are not all there with the
# provider's bytes, or that the provider counted over the cap, is marked INVALID.
#
# Usage: bench/capped.sh [N]   (N default 10000; CAP=20 MEAN_MS=50 SIZE=2000-8000 SEED=1;
#        PEERS="curl wget2 aria2c" chooses the peers)
source "$(dirname "$0")/lib.sh"
N=${1:-${N:-10000}}
CAP=${CAP:-20}
MEAN_MS=${MEAN_MS:-50}
SIZE=${SIZE:-2000-8000}
SEED=${SEED:-1}
PEERS=${PEERS:-curl wget2 aria2c}
need_peers $PEERS

read -r _ ideal _ sum_cap _ little _ _ < <("$(ideal_bin)" --n "$N" --cap "$CAP" --latency "exp:$MEAN_MS" --seed "$SEED")
machine
echo "bench/capped: N=$N cap=$CAP latency exp:${MEAN_MS}ms seed=$SEED size=$SIZE"
echo "ideal FIFO pool of $CAP slots on the provider's own samples: $ideal s" \
  "(sum of delays / cap $sum_cap s; Little's law N x mean / cap $little s)"

# The expected bytes: "sha256  0000001.jpg" for every URL, from the provider's generator.
awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) printf "/img/%07d.jpg\n", i }' |
  "$SLUICE" provider --size "$SIZE" --print-sha256 |
  awk '{ sub(".*/", "", $2); print $1 "  " $2 }' | LC_ALL=C sort > "$W/expected"

# verify_dir DIR: DIR holds exactly the N expected files with the provider's bytes.
verify_dir() {
  (cd "$1" && find . -maxdepth 1 -type f -printf '%f\0' | xargs -0 -r sha256sum) | LC_ALL=C sort > "$1.sums"
  cmp -s "$W/expected" "$1.sums"
}

# run_one NAME CMD...: a fresh provider, CMD measured against it, then the provider's counts.
BEST_PEER="" BEST_PEER_WALL=""
run_one() {
  local name=$1 dir=$W/out-$1
  shift
  local ok=yes why=()
  measure "$name" "$@" || { ok=no; why+=("exit status"); }
  local s
  s=$(curl -fsS "http://$CONTROL/__stats")
  stop_provider
  local served viol mo mi conns
  served=$(jq '.by_status["200"] // 0' <<< "$s")
  viol=$(jq .violations <<< "$s")
  mo=$(jq .max_open_connections <<< "$s")
  mi=$(jq .max_in_flight <<< "$s")
  conns=$(jq .connections_total <<< "$s")
  [ "$served" = "$N" ] || { ok=no; why+=("served $served of $N, statuses $(jq -c .by_status <<< "$s")"); }
  [ "$viol" = 0 ] || { ok=no; why+=("$viol violations"); }
  verify_dir "$dir" || { ok=no; why+=("$(LC_ALL=C comm -23 "$W/expected" "$dir.sums" | wc -l) files missing or wrong"); }
  local wall eff
  wall=$(m "$name" wall)
  eff=$(ratio "$ideal" "$wall")
  printf '%-22s wall %8.3f s  efficiency %6s  cpu %6.2f s  rss %6.1f MiB  connections %5s  max open %3s  max in flight %3s  violations %s' \
    "$name" "$wall" "$eff" "$(m "$name" cpu)" "$(m "$name" rss_mib)" "$conns" "$mo" "$mi" "$viol"
  if [ $ok = yes ]; then
    echo
  else
    echo "  INVALID (${why[*]})"
    INVALID+=("$name")
  fi
  eval "WALL_${name//[^a-zA-Z0-9]/_}=$wall OK_${name//[^a-zA-Z0-9]/_}=$ok"
  if [ $ok = yes ] && [[ $name != sluice* ]]; then
    if [ -z "$BEST_PEER" ] || awk -v a="$wall" -v b="$BEST_PEER_WALL" 'BEGIN { exit !(a < b) }'; then
      BEST_PEER=$name BEST_PEER_WALL=$wall
    fi
  fi
}

fresh_provider() {
  start_provider --cap "$CAP" --suspend --latency "exp:$MEAN_MS" --size "$SIZE" --seed "$SEED"
  awk -v n="$N" -v a="$ADDR" 'BEGIN { for (i = 1; i <= n; i++) printf "http://%s/img/%07d.jpg\n", a, i }' > "$W/urls.txt"
}

INVALID=()
for mode in window batch; do
  fresh_provider
  awk -v n="$N" -v a="$ADDR" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"id\":\"%07d\",\"url\":\"http://%s/img/%07d.jpg\"}\n", i, a, i }' > "$W/jobs-$mode.jsonl"
  "$SLUICE" --queue "$W/$mode.db" enqueue "$W/jobs-$mode.jsonl" --id-field id > /dev/null
  run_one "sluice-$mode" "$SLUICE" --queue "$W/$mode.db" run --store "$W/out-sluice-$mode" \
    --limit "$ADDR=$CAP" --allow-private --mode "$mode" --progress off
done

for p in $PEERS; do
  fresh_provider
  mkdir -p "$W/out-$p"
  case $p in
    curl)
      sed 's/.*/url = "&"/' "$W/urls.txt" > "$W/curl.cfg"
      run_one curl curl -sS --fail --parallel --parallel-max "$CAP" --remote-name-all \
        --output-dir "$W/out-curl" -K "$W/curl.cfg"
      ;;
    wget2)
      run_one wget2 wget2 -q --max-threads="$CAP" --tries=1 -P "$W/out-wget2" -i "$W/urls.txt"
      ;;
    aria2c)
      run_one aria2c aria2c -q -j "$CAP" -x 1 -s 1 --max-tries=1 --file-allocation=none \
        --auto-file-renaming=false --allow-overwrite=true -d "$W/out-aria2c" -i "$W/urls.txt"
      ;;
  esac
done

if [ -n "$BEST_PEER" ]; then
  echo "ratio sluice-window vs best peer ($BEST_PEER): $(ratio "$BEST_PEER_WALL" "$WALL_sluice_window") (> 1: sluice faster)"
else
  echo "ratio sluice-window vs best peer: no valid peer"
fi
echo "ratio sluice-window vs ideal: $(ratio "$ideal" "$WALL_sluice_window") (target >= 0.97)"
[ "$OK_sluice_window" = yes ] || die "sluice --mode window did not finish the work correctly"
[ ${#INVALID[@]} -eq 0 ] || echo "invalid peers (broke the cap or did not fetch every file): ${INVALID[*]}"
