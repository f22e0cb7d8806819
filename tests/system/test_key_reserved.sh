#!/usr/bin/env bash
# A --key template whose every key lands in the store's temp folder is refused at start:
# no job is leased, none is dead-lettered.
source "$(dirname "$0")/lib.sh"
start_provider --cap 4 --size 1000
db="$T/q.db"
urls 3 > "$T/urls.txt"
"$SLUICE" --queue "$db" enqueue "$T/urls.txt" > /dev/null
set +e
"$SLUICE" --queue "$db" run --store "$T/store" --allow-private --progress off \
  --key '.sluice-tmp/{id}' > "$T/out" 2> "$T/err"
rc=$?
set -e
cat "$T/out" "$T/err"
[ "$rc" != 0 ] || fail "run with --key '.sluice-tmp/{id}' exited 0"
grep -q "every key would be inside '.sluice-tmp/'" "$T/err" || fail "unclear refusal: $(cat "$T/err")"
s=$("$SLUICE" --queue "$db" status --json)
[ "$(jq .all.queued <<<"$s")" = 3 ] || fail "jobs not left queued: $s"
[ "$(jq .all.dead <<<"$s")" = 0 ] || fail "jobs dead-lettered: $s"
[ "$(stat_of .requests_total)" = 0 ] || fail "the run fetched before refusing"
pass "a key template inside the temp folder is refused at start"
