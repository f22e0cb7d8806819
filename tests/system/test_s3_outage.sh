#!/usr/bin/env bash
# The S3 server dies in the middle of a run (SIGKILL, after some objects are stored) and
# comes back on the same port with the same data: the failed puts are retried with
# fetching paused, the run completes, every object is stored and nothing is dead.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/s3.sh"
N=600 CAP=10 SIZE=2000-9000
start_s3
start_provider --cap $CAP --suspend --latency exp:40 --size $SIZE
urls $N > "$T/urls.txt"
"$SLUICE" --queue "$T/q.db" enqueue "$T/urls.txt" > /dev/null
run_s3 "$T/q.db" outage --limit "$ADDR=$CAP" --key '{url_sha256}{ext}' --seed 7 \
  > "$T/run.out" 2> "$T/run.err" &
RUN_PID=$!
PIDS+=("$RUN_PID")

done_at_least() { [ "$(count done "$T/q.db")" -ge "$1" ]; }
wait_for 60 done_at_least 100 || fail "the run did not get going: $(cat "$T/run.err")"
stop_s3
DOWN_AT=$(count done "$T/q.db")
echo "s3rver killed with $DOWN_AT done"
sleep 2  # an outage: puts fail with connection errors meanwhile
STALLED=$(count done "$T/q.db")
start_s3 "$S3_PORT"
echo "s3rver back on port $S3_PORT with $STALLED done"
wait "$RUN_PID" || fail "run failed: $(tail -5 "$T/run.err")"
cat "$T/run.out"
grep -c "store failed" "$T/run.err" > "$T/store-failures" || true
echo "store failures logged while down: $(cat "$T/store-failures")"
[ "$(cat "$T/store-failures")" -gt 0 ] || fail "no store failure was seen: the outage missed the run"
[ "$STALLED" -lt $N ] || fail "the run finished before the outage"
[ "$(count done "$T/q.db")" = $N ] || fail "expected $N done, got $(count done "$T/q.db")"
[ "$(count dead "$T/q.db")" = 0 ] || fail "dead jobs: $("$SLUICE" --queue "$T/q.db" status)"
check_cap $CAP
verify_s3 "$T/q.db" outage $SIZE
pass "s3 outage: all $N stored after the server came back, none dead"
