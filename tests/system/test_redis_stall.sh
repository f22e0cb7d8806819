#!/usr/bin/env bash
# A worker paused (kill -STOP) for longer than its lease TTL, then resumed (kill -CONT):
# while it is paused its slot leases lapse into held slots and its job leases go to the
# others; when it resumes it finds its leases lost before it sends anything, cuts what it
# had and goes on. The provider's request count (in flight) stays within the cap
# throughout; its connection count is not checked, because the idle connections of a
# paused process stay open until it resumes (the documented exception), so the provider
# runs without --suspend. Every job done once in the end, every image byte-exact.
source "$(dirname "$0")/lib.sh"
start_redis --appendonly yes --appendfsync always
N=4000 CAP=20 SIZE=2000-9000 TTL=2
start_provider --cap $CAP --latency exp:20 --size $SIZE
rq="$REDIS_URL/0"
urls $N > "$T/urls.txt"
"$SLUICE" --queue "$rq" enqueue "$T/urls.txt" > /dev/null
# start_worker I: worker I in the background.
start_worker() {
  "$SLUICE" --queue "$rq" run --store "$T/store" --limit "$ADDR=$CAP" --allow-private \
    --progress off --lease-ttl $TTL --abandon-hold 2 > "$T/w$1.out" 2> "$T/w$1.err" &
  WORKERS+=($!)
  PIDS+=($!)
}
# The victim starts alone and fills the cap; it is paused while it holds every slot, with
# leased jobs in hand; then the others start.
WORKERS=()
start_worker 1
victim=${WORKERS[0]}
wait_for 60 bash -c "[ \$(curl -fsS http://$CONTROL/__stats | jq .in_flight) -ge $((CAP - 2)) ]" ||
  fail "the first worker did not fill the cap"
kill -STOP "$victim"
resume_at=$(($(date +%s) + 3 * TTL + 1))
done_at_stop=$(count done "$rq")
for i in 2 3 4; do start_worker $i; done
# Paused for 3 TTLs (the scenario's length, not a synchronisation), and the others went on
# once its slots were free: its lease lapsed (TTL) and the hold after it ended.
wait_for 60 bash -c "[ \$(date +%s) -ge $resume_at ] &&
  [ \"\$(\"$SLUICE\" --queue \"$rq\" status --json | jq .all.done)\" -gt $((done_at_stop + 100)) ]" ||
  fail "the other workers did not go on while one was paused"
kill -CONT "$victim"
for i in 1 2 3 4; do
  expect_worker_ok "${WORKERS[$((i - 1))]}" "w$i"
done
grep -q "lost the slot lease of $ADDR" "$T/w1.err" ||
  fail "the resumed worker did not find its slot lease lost: $(tail -5 "$T/w1.err")"
[ "$(count done "$rq")" = $N ] || fail "expected $N done: $("$SLUICE" --queue "$rq" status)"
[ "$(count leased "$rq")" = 0 ] || fail "jobs still leased"
[ "$(count dead "$rq")" = 0 ] || fail "dead jobs: $("$SLUICE" --queue "$rq" status)"
mi=$(stat_of .max_in_flight)
[ "$mi" -le $CAP ] || fail "the provider counted $mi requests in flight, cap $CAP"
verify_store "$rq" "$T/store" $SIZE
pass "a worker paused $((3 * TTL)) s (lease TTL $TTL s) and resumed: provider max in flight $mi <= $CAP (max open connections $(stat_of .max_open_connections): the paused process's idle ones), $N done"
