#!/usr/bin/env bash
# The dashboard in a real browser (Debian's chromium, driven by playwright-core): during a
# run against the bundled provider the page's in-flight line for the host never rises above
# its cap line; the provider's own counts agree. Then, with the provider serving the paths
# it answered 404 before, clicking Replay on http_404 brings those jobs back and the page
# shows them done. Screenshots: $T/dashboard-run.png and $T/dashboard-replayed.png (the
# first is copied to /work/serve-dashboard.png when /work is writable).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve.sh"
here=$(cd "$(dirname "$0")" && pwd)
[ -x /usr/bin/chromium ] || fail "chromium missing: apt-get install chromium (scripts/install-deps.sh)"
[ -f "$here/../../.tools/node_modules/playwright-core/package.json" ] ||
  fail "playwright-core missing in .tools/: run scripts/install-deps.sh"
CAP=5 N=400 SIZE=1500
db="$T/q.db"

start_provider --cap $CAP --suspend --latency fixed:60 --size $SIZE --share-404 0.05
port=${ADDR##*:}
start_serve "$db" --store "$T/store" --limit "$ADDR=$CAP" --allow-private --progress off
urls $N | jq -R -c '{url: .}' > "$T/jobs.jsonl"

out=$(node "$here/dashboard.js" run "$SERVE" "$ADDR" $CAP "$T/jobs.jsonl" "$T/dashboard-run.png") ||
  fail "browser run phase failed"
echo "page: $out"
n404=$(stat_of '.by_status["404"]')
[ "$(jq '.max_in_flight_seen' <<<"$out")" = $CAP ] || fail "the page never showed the window full"
[ "$(jq '.dead_by_reason.http_404' <<<"$out")" = "$n404" ] || fail "page's dead letters != provider's 404s $n404"
check_cap $CAP
[ -w /work ] && cp "$T/dashboard-run.png" /work/serve-dashboard.png
pass "dashboard during the run: in flight at most the cap $CAP on the chart; $n404 dead (http_404)"

# The same port now serves every path; Replay on http_404 from the page.
kill "$PROVIDER_PID"
wait "$PROVIDER_PID" 2>/dev/null || true
start_provider --port "$port" --cap $CAP --suspend --latency fixed:20 --size $SIZE
out=$(node "$here/dashboard.js" replay "$SERVE" http_404 $N "$T/dashboard-replayed.png") ||
  fail "browser replay phase failed"
echo "page: $out"
[ "$(jq .replayed <<<"$out")" = "$n404" ] || fail "replay from the page: $out"
s=$("$SLUICE" --queue "$db" status --json)
[ "$(jq -c '[.all.done, .all.dead]' <<<"$s")" = "[$N,0]" ] || fail "after replay: $(jq -c .all <<<"$s")"
[ "$(stat_of '.by_status["200"]')" = "$n404" ] || fail "the new provider served $(stat_of '.by_status["200"]') images, expected $n404"
check_cap $CAP
stop_serve
verify_store "$db" "$T/store" $SIZE
pass "Replay clicked on the page: $n404 jobs back and done"
