#!/usr/bin/env bash
# The provider suspends the account for a while (403 to everything), then recovers. The
# host's circuit opens, `status` says so, no attempt is charged, nothing is dead-lettered,
# and every job ends done after recovery.
source "$(dirname "$0")/lib.sh"
N=1500 CAP=10 SIZE=2000
start_provider --cap $CAP --latency exp:10 --size $SIZE
urls $N > "$T/urls.txt"
db="$T/q.db"
"$SLUICE" --queue "$db" enqueue "$T/urls.txt"
"$SLUICE" --queue "$db" run --store "$T/store" --limit "$ADDR=$CAP" --allow-private \
  --progress off > "$T/run.out" 2>&1 &
pid=$!; PIDS+=("$pid")
some_done() { [ "$(count done "$db")" -ge 200 ]; }
wait_for 60 some_done || fail "run made no progress"
curl -fsS -X POST "http://$CONTROL/__suspend?seconds=4" >/dev/null
circuit_shown() { "$SLUICE" --queue "$db" status | grep -q "CIRCUIT $ADDR: open"; }
wait_for 30 circuit_shown || fail "status never showed the open circuit: $("$SLUICE" --queue "$db" status)"
set +e; wait $pid; rc=$?; set -e
cat "$T/run.out" | grep -v "^sluice: debug" | tail -5
[ $rc = 0 ] || fail "run exited $rc"
grep -q "circuit opened for $ADDR" "$T/run.out" || fail "the log did not say the circuit opened"
grep -q "circuit closed for $ADDR" "$T/run.out" || fail "the log did not say the circuit closed"
s=$("$SLUICE" --queue "$db" status --json)
[ "$(jq .all.done <<<"$s")" = $N ] || fail "not all done: $s"
[ "$(jq .all.dead <<<"$s")" = 0 ] || fail "dead jobs during a suspension: $s"
n403=$(stat_of '.by_status["403"]')
[ "$n403" -gt 0 ] || fail "the provider never answered 403; the test proves nothing"
# While the circuit was open sluice sent probes, not traffic: a few hundred 403s at most
# would mean it kept hammering a suspended account for 4 s at 10 in flight.
[ "$n403" -lt 60 ] || fail "$n403 requests hit the suspended account"
"$SLUICE" --queue "$db" export --format jsonl | jq -e -s 'all(.[]; .attempts <= 2)' >/dev/null ||
  fail "attempts were charged while the circuit was open"
check_cap $CAP
verify_store "$db" "$T/store" $SIZE
pass "suspension: circuit opened ($n403 x 403), closed, $N done, 0 dead"
