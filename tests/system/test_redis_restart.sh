#!/usr/bin/env bash
# Redis restarted mid-run (kill -9, then started again from its AOF with appendfsync always):
# the workers stop taking work while it is away, keep what they hold, reconnect with
# backoff and finish the run: every job done, none lost or dead, every image byte-exact,
# and the provider's maxima within the cap.
source "$(dirname "$0")/lib.sh"
start_redis --appendonly yes --appendfsync always
N=1500 CAP=20 SIZE=2000-9000
start_provider --cap $CAP --suspend --latency exp:20 --size $SIZE
rq="$REDIS_URL/0"
urls $N > "$T/urls.txt"
"$SLUICE" --queue "$rq" enqueue "$T/urls.txt" > /dev/null
WORKERS=()
for i in 1 2; do
  "$SLUICE" --queue "$rq" run --store "$T/store" --limit "$ADDR=$CAP" --allow-private \
    --progress off --lease-ttl 10 > "$T/w$i.out" 2> "$T/w$i.err" &
  WORKERS+=($!)
  PIDS+=($!)
done
wait_for 60 bash -c "[ \"\$(\"$SLUICE\" --queue \"$rq\" status --json | jq .all.done)\" -ge $((N / 4)) ]" ||
  fail "the run did not progress"
restart_redis
for i in 1 2; do
  expect_worker_ok "${WORKERS[$((i - 1))]}" "w$i"
done
grep -q "queue unreachable, taking no new work" "$T/w1.err" "$T/w2.err" ||
  fail "no worker noticed the restart: $(cat "$T/w1.err")"
[ "$(count done "$rq")" = $N ] || fail "expected $N done: $("$SLUICE" --queue "$rq" status)"
[ "$(count leased "$rq")" = 0 ] || fail "jobs still leased"
[ "$(count dead "$rq")" = 0 ] || fail "dead jobs: $("$SLUICE" --queue "$rq" status)"
check_cap $CAP
verify_store "$rq" "$T/store" $SIZE
pass "Redis killed and restarted mid-run: $N jobs done by 2 workers, none lost"
