#!/usr/bin/env bash
# Several `sluice run` workers on one Redis queue share each host's cap (RedisGate): 4
# workers, each with --limit HOST=20, against the strict provider with --suspend and cap 20:
# the provider's own maxima stay within 20 with no violation, every image is stored once
# and byte-exact. Then `kill -9` of one worker mid-run: the others finish its jobs after its
# leases expire (its slots stay held for --abandon-hold after that), nothing is lost, and
# the provider's maxima stay within the cap.
source "$(dirname "$0")/lib.sh"
start_redis --appendonly yes --appendfsync everysec
N=1200 CAP=20 SIZE=2000-9000 TTL=3
start_provider --cap $CAP --suspend --latency exp:20 --size $SIZE
rq="$REDIS_URL/0"

# start_workers N PREFIX: N workers in the background, their pids in WORKERS.
start_workers() {
  WORKERS=()
  local i
  for i in $(seq 1 "$1"); do
    "$SLUICE" --queue "$rq" run --store "$T/store" --limit "$ADDR=$CAP" --allow-private \
      --progress off --lease-ttl $TTL --abandon-hold 2 > "$T/$2-w$i.out" 2> "$T/$2-w$i.err" &
    WORKERS+=($!)
    PIDS+=($!)
  done
}

# expect_exit PID RC NAME: the worker exited with RC (within 3 minutes).
expect_exit() {
  local rc=0
  wait_for 180 bash -c "! kill -0 $1 2>/dev/null || grep -q '^State:.*Z' /proc/$1/status ||
    curl -fsS http://$CONTROL/__stats | jq -e .suspended > /dev/null" ||
    fail "$3 still running after 3 minutes: $(tail -5 "$T/$3.err")"
  [ "$(stat_of .suspended)" = false ] || fail "the provider suspended the account: $(stats)"
  wait "$1" || rc=$?
  [ "$rc" = "$2" ] || fail "$3 exited $rc, expected $2: $(tail -5 "$T/$3.err")"
}

# --- 4 workers, one cap ---------------------------------------------------------------
urls $N > "$T/urls.txt"
"$SLUICE" --queue "$rq" enqueue "$T/urls.txt" > /dev/null
start_workers 4 a
for i in 1 2 3 4; do expect_exit "${WORKERS[$((i - 1))]}" 0 "a-w$i"; done
[ "$(count done "$rq")" = $N ] || fail "expected $N done: $("$SLUICE" --queue "$rq" status)"
[ "$(count leased "$rq")" = 0 ] || fail "jobs still leased"
check_cap $CAP
[ "$(stat_of '.by_status["200"]')" = $N ] ||
  fail "provider served $(stat_of '.by_status["200"]') 200s for $N images: some twice"
shares=""
for i in 1 2 3 4; do
  n=$(sed -nE 's/^run: stored ([0-9]+) .*/\1/p' "$T/a-w$i.out")
  [ -n "$n" ] || fail "a-w$i printed no summary: $(cat "$T/a-w$i.out")"
  shares="$shares $n"
done
verify_store "$rq" "$T/store" $SIZE
pass "4 workers, one cap of $CAP: $N stored once each (per worker:$shares), max in flight $(stat_of .max_in_flight)"

# --- kill -9 of one worker mid-run -------------------------------------------------------
curl -fsS -X POST "http://$CONTROL/__reset" > /dev/null
urls $N /img/k9- > "$T/urls2.txt"
"$SLUICE" --queue "$rq" enqueue "$T/urls2.txt" > /dev/null
start_workers 4 b
victim=${WORKERS[0]}
# Mid-run: the victim has stored some and holds leases.
wait_for 60 bash -c "[ \"\$(\"$SLUICE\" --queue \"$rq\" status --json | jq .all.done)\" -ge $((N + N / 4)) ]" ||
  fail "the run did not progress"
kill -9 "$victim"
wait "$victim" 2>/dev/null || true
killed_at=$SECONDS
for i in 2 3 4; do expect_exit "${WORKERS[$((i - 1))]}" 0 "b-w$i"; done
total=$((2 * N))
[ "$(count done "$rq")" = $total ] || fail "expected $total done: $("$SLUICE" --queue "$rq" status)"
[ "$(count leased "$rq")" = 0 ] || fail "jobs still leased after the run"
[ "$(count dead "$rq")" = 0 ] || fail "dead jobs: $("$SLUICE" --queue "$rq" status)"
grep -h "reclaimed .* jobs whose lease expired" "$T"/b-w*.err > "$T/reclaimed" ||
  fail "no worker reclaimed the killed worker's jobs"
check_cap $CAP
# On Redis no worker empties the shared spool at start: the killed worker's temp files
# (fetch-PID-TAG.part) may be left, and only those.
for f in "$T/store/.sluice-tmp"/*; do
  [ -e "$f" ] || continue
  case $(basename "$f") in
    fetch-"$victim"-*) rm -f "$f" ;;
    *) fail "temp file left that is not the killed worker's: $f" ;;
  esac
done
verify_store "$rq" "$T/store" $SIZE
pass "kill -9 of one worker of 4: the others finished its jobs ($(head -1 "$T/reclaimed")) in $((SECONDS - killed_at)) s, $total stored"
