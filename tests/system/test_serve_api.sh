#!/usr/bin/env bash
# sluice serve's JSON API against the real binary and the bundled provider: good bodies in
# three forms, bad bodies (400 with line numbers, nothing enqueued), an oversized body
# (413, nothing enqueued), concurrent posts while the run works (every job done exactly
# once, the cap held on the provider's side), the dead-letter API, SIGTERM.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve.sh"
CAP=5 SIZE=1500
db="$T/q.db"
total() { "$SLUICE" --queue "$db" status --json | jq .all.total; }

start_provider --cap $CAP --suspend --latency fixed:20 --size $SIZE --share-404 0.1
start_serve "$db" --store "$T/store" --limit "$ADDR=$CAP" --allow-private --progress off \
  --max-body 64KiB --url-field image_url --id-field gtin
url() { printf 'http://%s/img/%06d.jpg' "$ADDR" "$1"; }

# 1. One object, an array (field names per request), JSONL.
r=$(api POST /api/jobs -d "{\"gtin\": 1, \"image_url\": \"$(url 1)\"}")
[ "$(code_of "$r")" = 200 ] || fail "one object: $r"
[ "$(body_of "$r" | jq -c '[.form, .accepted, .inserted]')" = '["object",1,1]' ] || fail "one object: $r"
r=$(api POST '/api/jobs?url_field=u&id_field=id' -H 'Content-Type: application/json' \
  -d "[{\"id\": \"2\", \"u\": \"$(url 2)\"}, {\"id\": \"3\", \"u\": \"$(url 3)\"}]")
[ "$(body_of "$r" | jq -c '[.form, .accepted, .inserted]')" = '["array",2,2]' ] || fail "array: $r"
for i in 4 5 6; do echo "{\"gtin\": $i, \"image_url\": \"$(url $i)\"}"; done > "$T/ok.jsonl"
r=$(api POST /api/jobs --data-binary @"$T/ok.jsonl")
[ "$(body_of "$r" | jq -c '[.form, .accepted, .inserted]')" = '["jsonl",3,3]' ] || fail "jsonl: $r"
r=$(api POST /api/jobs --data-binary @"$T/ok.jsonl")
[ "$(body_of "$r" | jq -c '[.inserted, .unchanged]')" = '[0,3]' ] || fail "posting again is not idempotent: $r"
[ "$(total)" = 6 ] || fail "expected 6 jobs, queue has $(total)"
# Over 8 KiB with curl -d's default Content-Type (form-urlencoded), which httplib's own body
# reading caps; posted again, so nothing new is enqueued.
for i in $(seq 1 6) $(seq 1 6) $(seq 1 6) $(seq 1 6) $(seq 1 6) $(seq 1 6) $(seq 1 6) $(seq 1 6) \
  $(seq 1 6) $(seq 1 6) $(seq 1 6) $(seq 1 6) $(seq 1 6) $(seq 1 6) $(seq 1 6) $(seq 1 6) \
  $(seq 1 6) $(seq 1 6) $(seq 1 6) $(seq 1 6) $(seq 1 6) $(seq 1 6) $(seq 1 6) $(seq 1 6); do
  echo "{\"gtin\": $i, \"image_url\": \"$(url $i)\", \"note\": \"$(printf '%080d' 0)\"}"
done > "$T/form.jsonl"
[ "$(stat -c %s "$T/form.jsonl")" -gt 8192 ] || fail "test body is not over 8 KiB"
r=$(api POST /api/jobs --data-binary @"$T/form.jsonl")
[ "$(code_of "$r")" = 200 ] || fail "a $(stat -c %s "$T/form.jsonl")-byte body with curl's default Content-Type: $r"
[ "$(body_of "$r" | jq -c '[.accepted, .unchanged]')" = '[144,144]' ] || fail "form-typed body: $r"
pass "POST /api/jobs: object, array, JSONL; idempotent; a body over 8 KiB of any Content-Type"

# 2. A body with bad records: 400 naming each line, and nothing from it is enqueued.
{ echo "{\"gtin\": 7, \"image_url\": \"$(url 7)\"}"
  echo "{\"gtin\": 8, \"image_url\": 8}"
  echo "{\"gtin\": 9, \"image_url\": \"$(url 9)\"}"
  echo "{\"gtin\": 10, \"image_url\": \"ftp://example.com/x.jpg\"}"
  echo "{\"gtin\": 11 \"image_url\": \"$(url 11)\"}"; } > "$T/bad.jsonl"
r=$(api POST /api/jobs --data-binary @"$T/bad.jsonl")
[ "$(code_of "$r")" = 400 ] || fail "bad body answered $(code_of "$r"): $r"
b=$(body_of "$r")
[ "$(jq -r .error.code <<<"$b")" = rejected_records ] || fail "error code: $b"
[ "$(jq -c '[.problems[].line]' <<<"$b")" = '[2,4,5]' ] || fail "problem lines: $b"
[ "$(jq -c '[.accepted, .rejected]' <<<"$b")" = '[0,3]' ] || fail "counts: $b"
jq -r '.problems[1].reason' <<<"$b" | grep -q 'bad URL' || fail "reason of line 4: $b"
r=$(api POST /api/jobs -d '[{"gtin": 12}, 5]')
[ "$(body_of "$r" | jq -c '[.problems[].item]')" = '[1,2]' ] || fail "array problems by item: $r"
r=$(api POST /api/jobs -d '')
[ "$(code_of "$r")" = 400 ] || fail "empty body: $r"
[ "$(total)" = 6 ] || fail "a rejected body enqueued something: $(total) jobs"
pass "bad bodies: 400 with line numbers and reasons, nothing enqueued"

# 3. Over --max-body (64 KiB): 413, nothing enqueued.
for i in $(seq 100 1200); do echo "{\"gtin\": $i, \"image_url\": \"$(url $i)\"}"; done > "$T/big.jsonl"
[ "$(stat -c %s "$T/big.jsonl")" -gt 65536 ] || fail "test body is not over the limit"
r=$(api POST /api/jobs --data-binary @"$T/big.jsonl")
[ "$(code_of "$r")" = 413 ] || fail "oversized body answered $(code_of "$r")"
[ "$(body_of "$r" | jq -r .error.code)" = body_too_large ] || fail "413 body: $r"
# Chunked, so no Content-Length tells the size in advance.
r=$(api POST /api/jobs -H 'Transfer-Encoding: chunked' --data-binary @"$T/big.jsonl")
[ "$(code_of "$r")" = 413 ] || fail "oversized chunked body answered $(code_of "$r")"
[ "$(total)" = 6 ] || fail "an oversized body enqueued something: $(total) jobs"
pass "oversized body: 413, nothing enqueued"

# 4. Concurrent posts while the run works: 8 clients, 150 jobs each, half of them also
# posted by another client. Every job ends done exactly once.
N=675
for c in $(seq 0 7); do
  for i in $(seq $((7 + c * 75)) $((7 + c * 75 + 149))); do
    if [ $i -le $((N + 6)) ]; then echo "{\"gtin\": $i, \"image_url\": \"$(url $i)\"}"; fi
  done > "$T/c$c.jsonl"
done
post_clients 8
expect=$((N + 6))
[ "$(total)" = $expect ] || fail "queue has $(total) jobs, expected $expect"
finished() { [ "$("$SLUICE" --queue "$db" status --json | jq '.all.done + .all.dead')" = $expect ]; }
wait_for 120 finished || fail "not finished: $("$SLUICE" --queue "$db" status --json | jq -c .all)"
s=$(api GET /api/status)
[ "$(body_of "$s" | jq -c '[.jobs.done + .jobs.dead, .jobs.queued, .jobs.leased]')" = "[$expect,0,0]" ] ||
  fail "status: $s"
n404=$(stat_of '.by_status["404"] // 0')
[ "$(body_of "$s" | jq .jobs.dead)" = "$n404" ] || fail "dead != provider's 404s ($n404)"
# Exactly once: the provider served each done job's path once.
[ "$(stat_of '.by_status["200"]')" = "$(body_of "$s" | jq .jobs.done)" ] ||
  fail "provider served $(stat_of '.by_status["200"]') images for $(body_of "$s" | jq .jobs.done) done jobs"
check_cap $CAP
pass "8 concurrent clients during the run: $expect jobs, each fetched once, done or dead"

# 5. The dead-letter API.
r=$(api GET '/api/dlq?reason=http_4xx&limit=1000')
[ "$(body_of "$r" | jq .count)" = "$n404" ] || fail "GET /api/dlq: $r"
r=$(api POST /api/dlq/replay -d '{}')
[ "$(code_of "$r")" = 400 ] || fail "replay without filter: $r"
r=$(api POST /api/dlq/replay -d '{"reason": "http_404"}')
[ "$(body_of "$r" | jq .replayed)" = "$n404" ] || fail "replay: $r"
again() { [ "$(stat_of '.by_status["404"]')" = $((2 * n404)) ] && [ "$("$SLUICE" --queue "$db" status --json | jq .all.dead)" = "$n404" ]; }
wait_for 60 again || fail "replayed jobs were not fetched again and dead-lettered"
pass "dlq list and replay over the API: $n404 jobs replayed, fetched once more"

# 6. SIGTERM: exit 130, nothing left leased, /healthz gone.
stop_serve
[ "$("$SLUICE" --queue "$db" status --json | jq .all.leased)" = 0 ] || fail "leases left"
curl -s -o /dev/null "$SERVE/healthz" && fail "still answering after SIGTERM"
verify_store "$db" "$T/store" $SIZE
pass "SIGTERM: exit 130, no leases left"
