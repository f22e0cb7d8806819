#!/usr/bin/env bash
# The dead-letter queue: list, summary, export and replay of the jobs a provider answered
# 404, then a replay while a `sluice run --follow` works on the same queue file, against a
# provider (on the same port) that now serves those paths: every job ends done.
source "$(dirname "$0")/lib.sh"
N=300 CAP=10 SIZE=1500
db="$T/q.db"
sl() { "$SLUICE" --queue "$db" "$@"; }
lines() { if [ -s "$1" ]; then wc -l < "$1"; else echo 0; fi; }

start_provider --cap $CAP --suspend --latency exp:5 --size $SIZE --share-404 0.2
urls $N > "$T/urls.txt"
sl enqueue "$T/urls.txt"
sl -q run --store "$T/store" --limit "$ADDR=$CAP" --allow-private --progress off
n404=$(stat_of '.by_status["404"]')
[ "$n404" -gt 20 ] || fail "expected some 404s from the provider, got $n404"
[ "$(count dead "$db")" = "$n404" ] || fail "dead != the provider's 404 count $n404"

# list: JSON lines, one per dead job, with the reason and the attempt charged.
sl dlq list --reason http_404 --json > "$T/list.jsonl"
[ "$(lines "$T/list.jsonl")" = "$n404" ] || fail "dlq list --reason http_404: $(lines "$T/list.jsonl") lines, provider 404s $n404"
[ "$(jq -r 'select(.reason == "http_404" and .attempts == 1 and (.url | test("/img/"))) | .id' "$T/list.jsonl" | sort -u | wc -l)" = "$n404" ] ||
  fail "dlq list rows lack reason/attempts: $(head -2 "$T/list.jsonl")"
# The same jobs by class, by host (with and without port), and in the table.
[ "$(sl dlq list --reason http_4xx --json | wc -l)" = "$n404" ] || fail "--reason http_4xx"
[ "$(sl dlq list --host "$ADDR" --json | wc -l)" = "$n404" ] || fail "--host $ADDR"
[ "$(sl dlq list --host "${ADDR%:*}" --json | wc -l)" = "$n404" ] || fail "--host without port"
[ "$(sl dlq list --host other.example --json | wc -l)" = 0 ] || fail "--host other.example matched"
[ "$(sl dlq list --limit 5 --json | wc -l)" = 5 ] || fail "--limit 5"
sl dlq list > "$T/table.txt"
head -1 "$T/table.txt" | grep -Eq '^id +url +reason +detail +attempts +updated_at$' || fail "table header: $(head -1 "$T/table.txt")"
[ "$(lines "$T/table.txt")" = $((n404 + 1)) ] || fail "table rows: $(lines "$T/table.txt")"
one=$(jq -r .id "$T/list.jsonl" | head -1)
[ "$(sl dlq list --id "$one" --json | jq -r .id)" = "$one" ] || fail "--id $one"
# A reason nothing has: no rows, and a hint naming the reasons there are.
sl dlq list --reason http_503 > "$T/none.out" 2> "$T/none.err"
[ ! -s "$T/none.out" ] || fail "--reason http_503 listed rows"
grep -q "http_404 ($n404)" "$T/none.err" || fail "no hint of the reasons present: $(cat "$T/none.err")"
pass "dlq list: $n404 x http_404, by reason, class, host and id"

[ "$(sl dlq summary --json | jq -c '[.dead, .by_reason.http_404, .by_host["'"$ADDR"'"]]')" = "[$n404,$n404,$n404]" ] ||
  fail "dlq summary: $(sl dlq summary --json)"
sl dlq export > "$T/dead.csv"
head -1 "$T/dead.csv" | grep -qx 'id,url,host,reason,detail,attempts,updated_at' || fail "csv header: $(head -1 "$T/dead.csv")"
[ "$(grep -c ',http_404,' "$T/dead.csv")" = "$n404" ] || fail "csv rows: $(lines "$T/dead.csv")"
sl dlq export --format jsonl -o "$T/dead.jsonl"
cmp -s <(jq -S -c . "$T/dead.jsonl") <(jq -S -c . "$T/list.jsonl") || fail "jsonl export differs from dlq list --json"
pass "dlq summary and export"

# Replay needs a filter or --all.
set +e
sl dlq replay > "$T/refuse.out" 2> "$T/refuse.err"
rc=$?
set -e
[ $rc = 2 ] || fail "dlq replay with no filter exited $rc, expected 2"
grep -q -- "--all" "$T/refuse.err" || fail "unclear refusal: $(cat "$T/refuse.err")"
[ "$(count dead "$db")" = "$n404" ] || fail "a refused replay changed the queue"

out=$(sl dlq replay --reason http_404)
[ "$out" = "replayed $n404 jobs" ] || fail "dlq replay said: $out"
s=$(sl status --json)
[ "$(jq -c '[.all.queued, .all.dead]' <<<"$s")" = "[$n404,0]" ] || fail "after replay: $s"
sl export --format jsonl -o "$T/manifest.jsonl"
[ "$(jq -r 'select(.state == "queued" and .attempts == 0 and .error == "") | .id' "$T/manifest.jsonl" | sort)" = \
  "$(jq -r .id "$T/list.jsonl" | sort)" ] || fail "replayed jobs are not queued with attempts 0 and no error"
# They still 404, so a run dead-letters them again, one request each.
sl -q run --store "$T/store" --limit "$ADDR=$CAP" --allow-private --progress off
[ "$(count dead "$db")" = "$n404" ] || fail "replayed 404s did not end dead again"
[ "$(stat_of '.by_status["404"]')" = $((2 * n404)) ] || fail "replayed jobs were not fetched exactly once more"
check_cap $CAP
pass "dlq replay: refused without a filter; $n404 jobs replayed and dead-lettered again"

# Replay during a running `sluice run --follow`. The same port now serves every path.
port=${ADDR##*:}
kill "$PROVIDER_PID"
wait "$PROVIDER_PID" 2>/dev/null || true
for i in "${!PIDS[@]}"; do [ "${PIDS[$i]}" != "$PROVIDER_PID" ] || unset 'PIDS[i]'; done
CAP2=4 EXTRA=200
start_provider --port "$port" --cap $CAP2 --suspend --latency fixed:50 --size $SIZE
[ "${ADDR##*:}" = "$port" ] || fail "second provider is on $ADDR, not port $port"
# New work, so that the run is busy (leasing and committing) when the replay lands.
urls $((N + EXTRA)) | tail -n $EXTRA > "$T/more.txt"
sl enqueue "$T/more.txt"
# Not through sl(): a backgrounded function is a subshell, and SIGINT must reach sluice.
"$SLUICE" --queue "$db" run --follow --store "$T/store" --limit "$ADDR=$CAP2" --allow-private \
  --progress off > "$T/follow.out" 2>&1 &
RUN=$!
PIDS+=("$RUN")
in_flight() { [ "$(stat_of .in_flight)" -gt 0 ]; }
wait_for 30 in_flight || fail "the follow run never started fetching"
out=$(sl dlq replay --reason http_404)
[ "$out" = "replayed $n404 jobs" ] || fail "dlq replay during the run said: $out"
# done only grows: fewer than all the new jobs done now means the run was mid-work.
[ "$(count done "$db")" -lt $((N - n404 + EXTRA)) ] || fail "run was idle at the replay; test proves nothing"
all_done() { [ "$(count done "$db")" = $((N + EXTRA)) ]; }
wait_for 120 all_done || fail "replayed jobs not done: $(sl status --json)"
kill -INT $RUN
set +e
wait $RUN
rc=$?
set -e
[ $rc = 130 ] || { cat "$T/follow.out"; fail "follow run exited $rc after SIGINT, expected 130"; }
s=$(sl status --json)
[ "$(jq -c '[.all.done, .all.queued, .all.leased, .all.dead]' <<<"$s")" = "[$((N + EXTRA)),0,0,0]" ] ||
  fail "not every job done: $s"
sl export --format jsonl -o "$T/final.jsonl"
[ "$(jq -r 'select(.attempts == 1) | .id' "$T/final.jsonl" | sort | comm -12 - <(jq -r .id "$T/list.jsonl" | sort) | wc -l)" = "$n404" ] ||
  fail "replayed jobs should end done after one attempt"
check_cap $CAP2
verify_store "$db" "$T/store" $SIZE
pass "dlq replay during sluice run --follow: $n404 replayed jobs done, exit 130 on SIGINT"
