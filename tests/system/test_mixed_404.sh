#!/usr/bin/env bash
# Some paths answer 404: those end dead with http_404 at the first attempt, the rest done.
source "$(dirname "$0")/lib.sh"
N=600 CAP=10 SIZE=1500
start_provider --cap $CAP --suspend --latency exp:5 --size $SIZE --share-404 0.1
urls $N > "$T/urls.txt"
# Plus explicit statuses: 410 is permanent too.
for i in 1 2 3; do echo "http://$ADDR/status/410/gone$i.jpg"; done >> "$T/urls.txt"
"$SLUICE" --queue "$T/q.db" enqueue "$T/urls.txt"
"$SLUICE" --queue "$T/q.db" run --store "$T/store" --limit "$ADDR=$CAP" --allow-private
s=$("$SLUICE" --queue "$T/q.db" status --json)
n404=$(stat_of '.by_status["404"]')
[ "$n404" -gt 20 ] || fail "expected some 404s from the provider, got $n404"
[ "$(jq '.dead_by_reason.http_404' <<<"$s")" = "$n404" ] || fail "dead http_404 != provider's 404 count $n404: $s"
[ "$(jq '.dead_by_reason.http_410' <<<"$s")" = 3 ] || fail "http_410 not dead-lettered: $s"
[ "$(jq '.all.done' <<<"$s")" = $((N - n404)) ] || fail "done count wrong: $s"
[ "$(jq '.all.queued + .all.leased' <<<"$s")" = 0 ] || fail "jobs left over: $s"
# Permanent failures are not retried: one request each.
[ "$(stat_of .requests_total)" -le $((N + 3 + 1)) ] || fail "permanent failures were retried"
check_cap $CAP
verify_store "$T/q.db" "$T/store" $SIZE
"$SLUICE" --queue "$T/q.db" export --format csv | grep -c ',dead,' | grep -qx $((n404 + 3)) || fail "csv export lacks dead rows"
pass "mixed: $n404 x http_404 + 3 x http_410 dead, rest done"
