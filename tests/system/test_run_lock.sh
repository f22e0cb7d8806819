#!/usr/bin/env bash
# Two `sluice run` on one queue file must not double the cap: the second refuses, through
# the same name, a symbolic link or a hard link alike (the lock is on the file, not on its
# name), and with the same message. The first stops gracefully on SIGINT and its unfinished
# jobs go back to queued.
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
mkdir "$T/elsewhere"
ln -s "$db" "$T/symlink.db"
ln "$db" "$T/elsewhere/hardlink.db"
for name in "$db" "$T/symlink.db" "$T/elsewhere/hardlink.db"; do
  set +e
  # A refusal comes at once; a run that was let in is killed after a while.
  timeout -s KILL 20 "$SLUICE" --queue "$name" run --store "$T/store" --limit "$ADDR=$CAP" \
    --allow-private --progress off > "$T/run2.out" 2> "$T/run2.err"
  rc=$?
  set -e
  [ $rc != 0 ] || fail "second run through $name was allowed: $(cat "$T/run2.out")"
  [ $rc != 137 ] || fail "second run through $name was allowed (still running after 20 s)"
  grep "another sluice run" "$T/run2.err" | grep -q "pid $RUN1" ||
    fail "unclear refusal through $name: $(cat "$T/run2.err")"
  sed -n 's/.*error: //p' "$T/run2.err" >> "$T/refusals"
done
[ "$(sort -u "$T/refusals" | wc -l)" = 1 ] || fail "different messages for one file: $(cat "$T/refusals")"
echo "refused alike through every name: $(head -1 "$T/refusals")"
[ "$(count leased "$db")" -gt 0 ] || fail "the first run's leases were taken back"
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
