#!/usr/bin/env bash
# kill -9 at random points of a run, restarting at once each time, against a provider
# that suspends the account on the first connection over the cap. Afterwards: every job
# done exactly once, every object present with the manifest's sha256, no temp files, no
# duplicate manifest rows, and the provider never saw more than the cap.
source "$(dirname "$0")/lib.sh"
N=3000 CAP=10 SIZE=2000-6000 KILLS=${KILLS:-5}
start_provider --cap $CAP --suspend --latency exp:20 --size $SIZE
db="$T/q.db"
urls $N > "$T/urls.txt"
"$SLUICE" --queue "$db" enqueue "$T/urls.txt"
run_args=(--queue "$db" run --store "$T/store" --limit "$ADDR=$CAP" --allow-private
          --timeout 3 --progress off)

for k in $(seq 1 $KILLS); do
  before=$(count done "$db")
  target=$((before + 50 + RANDOM % 400))
  "$SLUICE" "${run_args[@]}" > "$T/run$k.out" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  reached() { [ "$(count done "$db")" -ge "$target" ] || ! kill -0 "$pid" 2>/dev/null; }
  wait_for 120 reached || fail "kill $k: run made no progress (done $(count done "$db"), target $target)"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "kill $k: SIGKILL at done=$(count done "$db") (target $target); restarting at once"
done

"$SLUICE" "${run_args[@]}" > "$T/final.out" 2>&1 || { cat "$T/final.out"; fail "final run failed"; }
grep -q "holding" "$T/final.out" "$T"/run*.out || fail "no restart held the crashed run's slots"
s=$("$SLUICE" --queue "$db" status --json)
[ "$(jq .all.done <<<"$s")" = $N ] || fail "not every job done: $s"
[ "$(jq '.all.dead + .all.queued + .all.leased' <<<"$s")" = 0 ] || fail "jobs left: $s"
"$SLUICE" --queue "$db" export --format jsonl | jq -r .id | sort | uniq -d > "$T/dups"
[ ! -s "$T/dups" ] || fail "duplicate manifest rows: $(head -3 "$T/dups")"
[ "$("$SLUICE" --queue "$db" export --format jsonl | wc -l)" = $N ] || fail "manifest rows != $N"
check_cap $CAP
verify_store "$db" "$T/store" $SIZE
[ "$(find "$T/store" -type f -not -path '*/.sluice-tmp/*' | wc -l)" = $N ] || fail "extra or missing objects"
pass "$KILLS x kill -9: $N done exactly once, cap held"
