#!/usr/bin/env bash
# SIGTERM: stop leasing, let in-flight downloads finish within --grace, release the rest
# (exit 130). A second signal exits at once; the next run reclaims the leases and
# finishes every job, without exceeding the cap.
source "$(dirname "$0")/lib.sh"
# Requests take 1.5 s, so a run stopped at once leaves requests in flight and jobs leased.
N=40 CAP=5 SIZE=1500
start_provider --cap $CAP --suspend --latency fixed:1500 --size $SIZE
db="$T/q.db"
urls $N > "$T/urls.txt"
"$SLUICE" --queue "$db" enqueue "$T/urls.txt"
args=(--queue "$db" run --store "$T/store" --limit "$ADDR=$CAP" --allow-private --progress off
      --timeout 5)
busy() { [ "$(stat_of .in_flight)" -ge $CAP ]; }

# 1. One SIGTERM with a generous grace: the in-flight requests finish and are stored.
"$SLUICE" "${args[@]}" --grace 20 > "$T/run1.out" 2>&1 &
pid=$!; PIDS+=("$pid")
wait_for 30 busy || fail "run 1 never filled the window"
served_before=$(stat_of '.by_status["200"] // 0')
kill -TERM $pid
set +e; wait $pid; rc=$?; set -e
[ $rc = 130 ] || { cat "$T/run1.out"; fail "graceful stop exited $rc, expected 130"; }
s=$("$SLUICE" --queue "$db" status --json)
[ "$(jq .all.leased <<<"$s")" = 0 ] || fail "leases left after a graceful stop: $s"
[ "$(jq .all.done <<<"$s")" -ge $((served_before + 1)) ] || fail "in-flight work was not finished: $s"
[ "$(jq .all.done <<<"$s")" = "$(stat_of '.by_status["200"]')" ] ||
  fail "provider served $(stat_of '.by_status["200"]') but $(jq .all.done <<<"$s") stored"

grep -q '^run: stored' "$T/run1.out" || fail "a graceful stop printed no summary"

# 2. Two signals: the second exits at once, leaving leases for the next run to reclaim.
# The second is sent only once the first has been taken (its message is out), so the two
# cannot coalesce into one; the outcome must then differ from a graceful stop: no
# summary, and the in-flight jobs still leased.
"$SLUICE" "${args[@]}" --grace 20 > "$T/run2.out" 2>&1 &
pid=$!; PIDS+=("$pid")
wait_for 30 busy || fail "run 2 never filled the window"
kill -INT $pid
stopping() { grep -q 'SIGINT: stopping' "$T/run2.out"; }
wait_for 10 stopping || { cat "$T/run2.out"; fail "run 2 did not take the first SIGINT"; }
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
[ $rc = 130 ] || { cat "$T/run2.out"; fail "second SIGINT exited $rc, expected 130 (128+SIGINT)"; }
grep -q 'second signal: exiting now' "$T/run2.out" || { cat "$T/run2.out"; fail "the second SIGINT was not taken as such"; }
! grep -q '^run: stored' "$T/run2.out" || { cat "$T/run2.out"; fail "run 2 stopped gracefully: the second SIGINT did not abort it"; }
[ "$(count leased "$db")" -ge 1 ] || fail "no job left leased: run 2 was not aborted with requests in flight"

# 3. The next run reclaims whatever was leased, holds the slots the killed run may still
# use, and finishes everything.
"$SLUICE" "${args[@]}" --restart-grace 2 > "$T/run3.out" 2>&1 || { cat "$T/run3.out"; fail "run 3 failed"; }
s=$("$SLUICE" --queue "$db" status --json)
[ "$(jq .all.done <<<"$s")" = $N ] || fail "not all done after restart: $s"
check_cap $CAP
verify_store "$db" "$T/store" $SIZE
pass "SIGTERM graceful, double SIGINT immediate, restart completes"
