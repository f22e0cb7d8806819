#!/usr/bin/env bash
# 2,000 URLs, cap 20, --suspend, exponential latency: every image stored with the right
# sha256, and the provider's own maxima stay within 20 with no violation.
source "$(dirname "$0")/lib.sh"
N=2000 CAP=20 SIZE=2000-9000
start_provider --cap $CAP --suspend --latency exp:10 --size $SIZE
urls $N > "$T/urls.txt"
"$SLUICE" --queue "$T/q.db" enqueue "$T/urls.txt"
"$SLUICE" --queue "$T/q.db" run --store "$T/store" --limit "$ADDR=$CAP" --allow-private \
  --progress plain > "$T/run.out"
cat "$T/run.out"
[ "$(count done "$T/q.db")" = $N ] || fail "expected $N done, got $(count done "$T/q.db")"
[ "$(count dead "$T/q.db")" = 0 ] || fail "dead jobs: $("$SLUICE" --queue "$T/q.db" status)"
check_cap $CAP
# The window was actually used: the provider saw the full cap in flight.
[ "$(stat_of .max_in_flight)" = $CAP ] || fail "window never filled: max in flight $(stat_of .max_in_flight)"
[ "$(stat_of '.by_status["200"]')" = $N ] || fail "provider served $(stat_of '.by_status["200"]') 200s, not $N"
verify_store "$T/q.db" "$T/store" $SIZE
pass "cap 20: $N stored"
