#!/usr/bin/env bash
# kill -9 at random points of a run, restarting at once each time: mid-transfer, and right
# after start (during start-up and the reclaim of the dead run's leases). The provider
# suspends the account on the first connection over the cap, and keeps counting a request
# whose client died, with its connection, until its latency is over
# (--count-after-disconnect; a tail of requests takes 1.5 s): the dead run's requests
# outlive it, so a restart that does not hold their slots goes over the cap by the
# provider's own count. Afterwards: every job done; every object in the store belongs to
# exactly one done job and every done job has its object, with the provider's bytes; the
# provider served no more than the kills can explain; no temp files, no heartbeat file.
source "$(dirname "$0")/lib.sh"
N=1000 CAP=10 SIZE=2000-6000 KILLS=${KILLS:-6} LONG=1500
start_provider --cap $CAP --suspend --count-after-disconnect --latency tail:10:0.05:$LONG \
  --size $SIZE
db="$T/q.db"
urls $N > "$T/urls.txt"
"$SLUICE" --queue "$db" enqueue "$T/urls.txt"
run_args=(--queue "$db" run --store "$T/store" --limit "$ADDR=$CAP" --allow-private
          --timeout 3 --abandon-hold 2 --progress off)

outlived=0
for k in $(seq 1 $KILLS); do
  "$SLUICE" "${run_args[@]}" > "$T/run$k.out" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  if [ $((k % 2)) = 0 ]; then
    # Early: the kill lands in start-up, the reclaim of the last run's leases, or the
    # first requests. The pause picks the moment of the kill; nothing is asserted on it.
    sleep "0.0$((RANDOM % 10))"
    when=early
  else
    target=$(($(count done "$db") + 50 + RANDOM % 200))
    reached() {
      [ "$(count done "$db")" -ge "$target" ] || ! kill -0 "$pid" 2>/dev/null ||
        ! stat_is .violations 0
    }
    wait_for 120 reached || fail "kill $k: run made no progress (done $(count done "$db"), target $target)"
    stat_is .violations 0 || check_cap $CAP  # says what the provider counted, and fails
    when="done=$(count done "$db")"
  fi
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  left=$(stat_of .in_flight)  # requests of dead runs the provider still serves
  # A mid-run kill comes long after the last run's requests ended: these are its own.
  [ "$when" != early ] && [ "$left" -gt 0 ] && outlived=$((outlived + 1))
  echo "kill $k: SIGKILL ($when); the provider still serves $left requests of dead runs"
done

"$SLUICE" "${run_args[@]}" > "$T/final.out" 2>&1 || { cat "$T/final.out"; fail "final run failed"; }
[ "$outlived" -gt 0 ] || fail "no killed run left requests at the provider; the test proves nothing"
check_cap $CAP
s=$("$SLUICE" --queue "$db" status --json)
[ "$(jq .all.done <<<"$s")" = $N ] || fail "not every job done: $s"
[ "$(jq '.all.dead + .all.queued + .all.leased' <<<"$s")" = 0 ] || fail "jobs left: $s"
verify_store "$db" "$T/store" $SIZE

# The store holds exactly the done jobs' objects: one file per done job, none more.
"$SLUICE" --queue "$db" export --format jsonl | jq -r 'select(.state=="done") | .key' | sort \
  > "$T/keys"
(cd "$T/store" && find . -type f -not -path './.sluice-tmp/*' | sed 's|^\./||' | sort) > "$T/files"
[ "$(wc -l < "$T/keys")" = $N ] || fail "$(wc -l < "$T/keys") done jobs with a key, not $N"
dup=$(uniq -d "$T/keys" | head -3)
[ -z "$dup" ] || fail "several done jobs share one object: $dup"
diff "$T/keys" "$T/files" > "$T/keys-vs-files" ||
  fail "store and manifest differ (< manifest only, > store only): $(head -5 "$T/keys-vs-files")"

# At-least-once fetching, but a re-fetch only for what a kill interrupted: at most the
# requests in flight, the objects being stored and the commits pending at each kill.
served=$(stat_of '.by_status["200"]')
[ "$served" -ge $N ] || fail "the provider served $served images for $N done jobs"
[ "$served" -le $((N + KILLS * 3 * CAP)) ] || fail "the provider served $served images for $N jobs"
[ ! -e "$db.run" ] || fail "a clean end left the heartbeat file $db.run: $(cat "$db.run")"
pass "$KILLS x kill -9 ($outlived left requests at the provider): $N done once, cap held"
