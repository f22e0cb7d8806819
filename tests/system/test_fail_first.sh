#!/usr/bin/env bash
# Every image fails with 5xx on its first two requests, then succeeds: every job ends done
# after retries, none dead, and never more than three requests per image.
source "$(dirname "$0")/lib.sh"
N=150 CAP=6 SIZE=2500
start_provider --cap $CAP --suspend --latency exp:5 --size $SIZE --fail-first 2 --fail-status 502
urls $N > "$T/urls.txt"
"$SLUICE" --queue "$T/q.db" enqueue "$T/urls.txt"
"$SLUICE" --queue "$T/q.db" run --store "$T/store" --limit "$ADDR=$CAP" --allow-private \
  --backoff-base 0.05 --backoff-cap 1 --progress off 2> "$T/run.err"
grep -v debug "$T/run.err" | tail -3
s=$("$SLUICE" --queue "$T/q.db" status --json)
[ "$(jq .all.done <<<"$s")" = $N ] || fail "not all done: $s"
[ "$(stat_of '.by_status["502"]')" = $((2 * N)) ] || fail "provider served $(stat_of '.by_status["502"]') 502s, expected $((2 * N))"
[ "$(stat_of '.by_status["200"]')" = $N ] || fail "images fetched more than once"
"$SLUICE" --queue "$T/q.db" export --format jsonl | jq -e -s 'all(.[]; .attempts >= 1 and .attempts <= 3)' >/dev/null ||
  fail "attempts out of range"
check_cap $CAP
verify_store "$T/q.db" "$T/store" $SIZE
pass "fail-first 2: $N done after retries"
