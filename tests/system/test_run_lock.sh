#!/usr/bin/env bash
# Two `sluice run` on one queue file must not double the cap: the second refuses. The
# first stops gracefully on SIGINT and its unfinished jobs go back to queued.
source "$(dirname "$0")/lib.sh"
CAP=4
start_provider --cap $CAP --suspend --latency fixed:200 --size 1000
db="$T/q.db"
urls 400 > "$T/urls.txt"
"$SLUICE" --queue "$db" enqueue "$T/urls.txt"
"$SLUICE" --queue "$db" run --store "$T/store" --limit "$ADDR=$CAP" --allow-private \
  --progress off > "$T/run1.out" 2>&1 &
RUN1=$!
PIDS+=("$RUN1")
# Wait (bounded) until the first run has work in flight.
in_flight() { [ "$(stat_of .in_flight)" -gt 0 ]; }
wait_for 30 in_flight || fail "first run never started fetching"
set +e
"$SLUICE" --queue "$db" run --store "$T/store" --limit "$ADDR=$CAP" --allow-private 2> "$T/run2.err"
rc=$?
set -e
[ $rc != 0 ] || fail "second run on the same queue file was allowed"
grep -q "another sluice run" "$T/run2.err" || fail "unclear refusal: $(cat "$T/run2.err")"
kill -INT $RUN1
set +e
wait $RUN1
rc=$?
set -e
cat "$T/run1.out"
[ $rc = 130 ] || fail "interrupted run exited $rc, expected 130"
s=$("$SLUICE" --queue "$db" status --json)
[ "$(jq .all.leased <<<"$s")" = 0 ] || fail "leases left after a graceful stop: $s"
[ "$(jq '.all.done + .all.queued' <<<"$s")" = 400 ] || fail "jobs lost: $s"
[ "$(jq .all.done <<<"$s")" -lt 400 ] || fail "run finished before the signal; test proves nothing"
check_cap $CAP
pass "second run refused; SIGINT released the rest"
