#!/usr/bin/env bash
# Memory (issue 8, target 4): peak RSS of `sluice run` draining N queued jobs at cap CAP
# against the bundled provider (no latency, tiny bodies), for each N in NS, and of the
# enqueue before it; each N in a fresh queue file and a fresh folder. Peak RSS should be
# flat in N and at most 64 MiB. Checks that every job ended done with its object stored and
# that the provider never counted more than CAP connections.
#
# Usage: bench/memory.sh [N...]   (default 10000 100000 1000000; CAP=256 SIZE=256)
source "$(dirname "$0")/lib.sh"
NS=("$@")
[ ${#NS[@]} -gt 0 ] || NS=(10000 100000 1000000)
CAP=${CAP:-256}
SIZE=${SIZE:-256}

machine
echo "bench/memory: N in ${NS[*]}, cap $CAP, provider latency none, size $SIZE"
start_provider --cap "$CAP" --latency none --size "$SIZE"
FIRST_RSS="" LAST_RSS=""
for n in "${NS[@]}"; do
  awk -v n="$n" -v a="$ADDR" 'BEGIN { for (i = 1; i <= n; i++) printf "http://%s/img/%07d.jpg\n", a, i }' > "$W/urls-$n.txt"
  measure "enqueue-$n" "$SLUICE" --queue "$W/q-$n.db" enqueue "$W/urls-$n.txt"
  curl -fsS -X POST "http://$CONTROL/__reset" > /dev/null
  measure "run-$n" "$SLUICE" --queue "$W/q-$n.db" run --store "$W/out-$n" --limit "$ADDR=$CAP" \
    --allow-private --progress off
  s=$(curl -fsS "http://$CONTROL/__stats")
  done_jobs=$("$SLUICE" --queue "$W/q-$n.db" status --json | jq .all.done)
  files=$(find "$W/out-$n" -type f -not -path '*/.sluice-tmp/*' | wc -l)
  [ "$done_jobs" = "$n" ] || die "N=$n: $done_jobs jobs done, not $n"
  [ "$files" = "$n" ] || die "N=$n: $files objects stored, not $n"
  [ "$(jq .violations <<< "$s")" = 0 ] || die "N=$n: the provider counted $(jq .violations <<< "$s") violations"
  rss=$(m "run-$n" rss_mib)
  printf 'N=%-8s run: peak rss %7s MiB  wall %8.3f s  %7s img/s  cpu %5s us/img  max open %3s | enqueue: peak rss %6s MiB  wall %7.3f s\n' \
    "$n" "$rss" "$(m "run-$n" wall)" "$(awk -v n="$n" -v w="$(m "run-$n" wall)" 'BEGIN { printf "%.0f", n / w }')" \
    "$(awk -v n="$n" -v c="$(m "run-$n" cpu)" 'BEGIN { printf "%.0f", c * 1e6 / n }')" \
    "$(jq .max_open_connections <<< "$s")" "$(m "enqueue-$n" rss_mib)" "$(m "enqueue-$n" wall)"
  [ -n "$FIRST_RSS" ] || FIRST_RSS=$rss
  LAST_RSS=$rss
done
echo "ratio peak rss N=${NS[-1]} / N=${NS[0]}: $(ratio "$LAST_RSS" "$FIRST_RSS" %.2f) (target: flat, 1.0; and <= 64 MiB)"
