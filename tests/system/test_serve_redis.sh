#!/usr/bin/env bash
# sluice serve on a Redis queue: one `serve` and one `run --follow` worker on one Redis share
# the provider's cap (the provider with --suspend: one connection over the cap suspends the
# account). Jobs are posted to the server's API by concurrent clients while both work; every
# job ends done (stored once, byte-exact) or dead (the provider's 404s), and both processes
# did some of it. /api/status and /metrics count the whole queue (the worker's jobs too),
# /readyz answers, and a DLQ replay through the API on Redis sends the dead jobs round again.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve.sh"
command -v promtool > /dev/null || fail "promtool missing: apt-get install prometheus (scripts/install-deps.sh)"
start_redis --appendonly yes --appendfsync everysec
N=800 CAP=6 SIZE=1500-6000
start_provider --cap $CAP --suspend --latency exp:20 --size $SIZE --share-404 0.05
rq="$REDIS_URL/0"
common=(--store "$T/store" --limit "$ADDR=$CAP" --allow-private --progress off
  --lease-ttl 3 --abandon-hold 2)
start_serve "$rq" "${common[@]}"
"$SLUICE" --queue "$rq" run --follow "${common[@]}" > "$T/worker.out" 2> "$T/worker.err" &
WORKER=$!
PIDS+=("$WORKER")
url() { printf 'http://%s/img/%06d.jpg' "$ADDR" "$1"; }
jobs_of() { api GET /api/status | sed '$d' | jq -r "$1"; }

# 1. Four clients post N jobs in batches of 50 while both processes work.
for c in 0 1 2 3; do
  for i in $(seq $((c * N / 4 + 1)) $(((c + 1) * N / 4))); do
    echo "{\"id\": \"$i\", \"url\": \"$(url "$i")\"}"
  done > "$T/c$c.jsonl"
done
post_clients 4
[ "$(jobs_of .jobs.total)" = $N ] || fail "the API counts $(jobs_of .jobs.total) jobs, expected $N"
# Done, or the provider suspended the account (a cap exceeded): no point waiting longer.
finished() { [ "$(jobs_of '.jobs.done + .jobs.dead')" = $N ] || stat_is .suspended true; }
wait_for 180 finished || fail "not finished: $(jobs_of .jobs)"
[ "$(stat_of .suspended)" = false ] || fail "the provider suspended the account: $(stats)"
s=$(api GET /api/status | sed '$d')
[ "$(jq -c '[.jobs.done + .jobs.dead, .jobs.queued, .jobs.leased]' <<<"$s")" = "[$N,0,0]" ] ||
  fail "status: $(jq -c .jobs <<<"$s")"
# The API's counts are the queue's, as every client of the queue sees them.
cli=$("$SLUICE" --queue "$rq" status --json | jq -c '[.all.done, .all.dead]')
[ "$(jq -c '[.jobs.done, .jobs.dead]' <<<"$s")" = "$cli" ] ||
  fail "the API counts $(jq -c .jobs <<<"$s"), sluice status [done, dead] $cli"
n404=$(stat_of '.by_status["404"] // 0')
[ "$n404" -gt 0 ] || fail "the provider served no 404: the DLQ part proves nothing"
[ "$(jq .jobs.dead <<<"$s")" = "$n404" ] || fail "dead $(jq .jobs.dead <<<"$s") != provider's 404s $n404"
[ "$(stat_of '.by_status["200"]')" = "$(jq .jobs.done <<<"$s")" ] ||
  fail "provider served $(stat_of '.by_status["200"]') images for $(jq .jobs.done <<<"$s") done jobs"
check_cap $CAP
pass "serve + run --follow on one Redis: $N posted jobs, $(jq .jobs.done <<<"$s") stored once, $n404 dead"

# 2. /metrics and /readyz on Redis: the queue's gauges count every worker's jobs.
r=$(api GET /metrics)
[ "$(code_of "$r")" = 200 ] || fail "/metrics answered $(code_of "$r")"
body_of "$r" > "$T/metrics.txt"
promtool check metrics < "$T/metrics.txt" > "$T/promtool.out" 2>&1 ||
  { cat "$T/promtool.out"; fail "promtool check metrics failed"; }
done_gauge=$(sed -nE 's/^sluice_jobs\{state="done"\} ([0-9]+)$/\1/p' "$T/metrics.txt")
[ "$done_gauge" = "$(jq .jobs.done <<<"$s")" ] ||
  fail "sluice_jobs{state=\"done\"} is '$done_gauge', the queue has $(jq .jobs.done <<<"$s") done"
grep -q '^sluice_open_connections_max{' "$T/metrics.txt" || fail "no gate figures in /metrics"
r=$(api GET /readyz)
[ "$(code_of "$r")" = 200 ] || fail "/readyz on Redis: $r"
pass "/metrics (sluice_jobs done $done_gauge) and /readyz served on Redis"

# 3. The dead-letter API on Redis: list, then replay; the replayed jobs are fetched again
# (by either process) and dead-lettered again.
r=$(api GET '/api/dlq?reason=http_4xx&limit=1000')
[ "$(code_of "$r")" = 200 ] || fail "GET /api/dlq: $r"
[ "$(body_of "$r" | jq .count)" = "$n404" ] || fail "GET /api/dlq listed $(body_of "$r" | jq .count), expected $n404"
[ "$(body_of "$r" | jq -r '[.jobs[].reason] | unique | join(",")')" = http_404 ] ||
  fail "GET /api/dlq reasons: $(body_of "$r" | jq -c '[.jobs[].reason] | unique')"
r=$(api POST /api/dlq/replay -d '{"reason": "http_404"}')
[ "$(code_of "$r")" = 200 ] || fail "replay: $r"
[ "$(body_of "$r" | jq .replayed)" = "$n404" ] || fail "replay: $r"
again() {
  [ "$(stat_of '.by_status["404"]')" = $((2 * n404)) ] &&
    [ "$(jobs_of '[.jobs.dead, .jobs.queued, .jobs.leased] | join(",")')" = "$n404,0,0" ]
}
wait_for 60 again || fail "replayed jobs were not fetched again: $(jobs_of .jobs), 404s $(stat_of '.by_status["404"]')"
check_cap $CAP
pass "dlq list and replay over the API on Redis: $n404 jobs replayed, fetched once more"

# 4. Both processes stop on SIGTERM with exit 130 and nothing leased; both did some of the
# work (the caps were shared, not one process idle); every object is byte-exact.
stop_serve
kill -TERM "$WORKER"
rc=0
wait "$WORKER" || rc=$?
[ "$rc" = 130 ] || fail "the worker exited $rc after SIGTERM, expected 130: $(tail -5 "$T/worker.err")"
[ "$(count leased "$rq")" = 0 ] || fail "leases left"
served=$(sed -nE 's/^run: stored ([0-9]+) .*/\1/p' "$T/serve.out")
worked=$(sed -nE 's/^run: stored ([0-9]+) .*/\1/p' "$T/worker.out")
[ -n "$served" ] && [ -n "$worked" ] || fail "no summary: serve '$(cat "$T/serve.out")', worker '$(cat "$T/worker.out")'"
[ "$served" -gt 0 ] && [ "$worked" -gt 0 ] || fail "one process did nothing: serve stored $served, worker $worked"
[ $((served + worked)) = "$(count done "$rq")" ] ||
  fail "serve stored $served and the worker $worked, but $(count done "$rq") jobs are done"
verify_store "$rq" "$T/store" $SIZE
check_cap $CAP
pass "SIGTERM: both exit 130, nothing leased; serve stored $served, the worker $worked"
