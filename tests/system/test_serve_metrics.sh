#!/usr/bin/env bash
# /metrics checked by the real thing: `promtool check metrics` on the output during a run
# (with 404s and retries after resets, so every family has samples), and a Prometheus
# server scraping `sluice serve` every 200 ms during a run: the in-flight series it stored
# never exceeds the cap, and the provider's own counts agree.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve.sh"
command -v promtool > /dev/null || fail "promtool missing: apt-get install prometheus (scripts/install-deps.sh)"
command -v prometheus > /dev/null || fail "prometheus missing: apt-get install prometheus"
CAP=6 N=400 SIZE=1500
db="$T/q.db"

start_provider --cap $CAP --suspend --latency fixed:60 --size $SIZE --share-404 0.05 \
  --share-reset 0.05
# Prometheus first, so it is scraping before the run starts.
SERVE_PORT=$(free_port)
PROM_PORT=$(free_port)
cat > "$T/prometheus.yml" <<YML
global:
  scrape_interval: 200ms
  scrape_timeout: 200ms
scrape_configs:
  - job_name: sluice
    static_configs:
      - targets: ['127.0.0.1:$SERVE_PORT']
YML
promtool check config "$T/prometheus.yml" > /dev/null || fail "promtool rejects the test's config"
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/prom" \
  --web.listen-address="127.0.0.1:$PROM_PORT" > "$T/prometheus.log" 2>&1 &
PIDS+=($!)
PROM="http://127.0.0.1:$PROM_PORT"
prom_ready() { curl -fsS "$PROM/-/ready" > /dev/null 2>&1; }
wait_for 60 prom_ready || { tail -5 "$T/prometheus.log"; fail "prometheus did not start"; }

SERVE_LISTEN=127.0.0.1:$SERVE_PORT start_serve "$db" --store "$T/store" --limit "$ADDR=$CAP" \
  --allow-private --progress off --backoff-base 0.05 --backoff-cap 0.2
# Work arrives once Prometheus scrapes sluice (it applies new targets after a few seconds).
q() { curl -fsS -G "$PROM/api/v1/query" --data-urlencode "query=$1" | jq -r '.data.result[0].value[1] // "none"'; }
up() { [ "$(q 'up{job="sluice"}')" = 1 ]; }
wait_for 60 up || fail "prometheus never scraped sluice serve"
urls $N | jq -R -c '{url: .}' > "$T/jobs.jsonl"
[ "$(curl -fsS --data-binary @"$T/jobs.jsonl" "$SERVE/api/jobs" | jq .inserted)" = $N ] || fail "POST /api/jobs"

# Mid-run, once some requests failed and a dead job is committed (the provider counts a
# 404 before sluice has read it, and sluice commits it up to 50 ms later): promtool lints
# the exposition.
dead_jobs() { "$SLUICE" --queue "$db" status --json | jq .all.dead; }
busy() {
  [ "$(stat_of '.by_status["404"] // 0')" -gt 0 ] && [ "$(stat_of .in_flight)" -gt 0 ] &&
    [ "$(dead_jobs)" -gt 0 ]
}
wait_for 60 busy || fail "the run never got going"
# /metrics reads the queue's counts as the server last sampled them, so the committed dead
# job shows there within a sampling period: scrape until it does (bounded).
scrape_with_dead() {
  curl -fsS "$SERVE/metrics" > "$T/metrics.txt" && grep -q '^sluice_dead_letters[{ ]' "$T/metrics.txt"
}
wait_for 30 scrape_with_dead ||
  fail "no sluice_dead_letters sample in /metrics, while the queue has $(dead_jobs) dead jobs"
promtool check metrics < "$T/metrics.txt" > "$T/promtool.out" 2>&1 ||
  { cat "$T/promtool.out"; fail "promtool check metrics failed"; }
for family in sluice_jobs sluice_fetches_total sluice_fetch_duration_seconds_bucket \
              sluice_retries_total sluice_in_flight_requests sluice_open_connections \
              sluice_connection_cap sluice_circuit_state sluice_stored_bytes_total \
              sluice_oldest_ready_job_age_seconds sluice_dead_letters; do
  grep -q "^$family[{ ]" "$T/metrics.txt" || fail "no $family sample in /metrics"
done
pass "promtool check metrics: clean, every family present ($(grep -vc '^#' "$T/metrics.txt") samples)"

finished() { [ "$("$SLUICE" --queue "$db" status --json | jq '.all.done + .all.dead')" = $N ]; }
wait_for 120 finished || fail "run did not finish: $("$SLUICE" --queue "$db" status --json | jq -c .all)"
# Let Prometheus take a few more scrapes of the finished state, then ask it.
scraped() { [ "$(q 'sum(sluice_jobs{state="done"}) + sum(sluice_jobs{state="dead"})')" = $N ]; }
wait_for 30 scraped || fail "prometheus never saw the finished run"
samples=$(q 'count_over_time(sluice_in_flight_requests[10m])')
peak=$(q 'max_over_time(sluice_in_flight_requests[10m])')
hwm=$(q 'max_over_time(sluice_in_flight_requests_max[10m])')
open=$(q 'max_over_time(sluice_open_connections[10m])')
cap=$(q 'max_over_time(sluice_connection_cap[10m])')
echo "prometheus: $samples in-flight samples, max in flight $peak (high-water mark $hwm), max open $open, cap $cap"
[ "$samples" -ge 10 ] || fail "only $samples scrapes during the run"
[ "$cap" = $CAP ] || fail "cap series says $cap"
[ "$peak" -ge 1 ] || fail "no request in flight was ever scraped"
[ "$peak" -le $CAP ] && [ "$hwm" -le $CAP ] && [ "$open" -le $CAP ] ||
  fail "in-flight series went over the cap $CAP: $peak / $hwm / $open"
[ "$(q 'sum(sluice_fetches_total{outcome="http_404"})')" = "$(stat_of '.by_status["404"]')" ] ||
  fail "sluice_fetches_total 404s != the provider's"
check_cap $CAP
stop_serve
pass "prometheus scraped the run every 200 ms: in flight never above the cap $CAP"
