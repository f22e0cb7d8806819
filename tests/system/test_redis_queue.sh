#!/usr/bin/env bash
# The Redis queue from the command line, as a differential test: the same commands on a
# SQLite queue file and on a redis:// queue give the same output (enqueue of JSONL, CSV and
# URL lines with bad lines among them, idempotent and incremental enqueue, status, export,
# the dlq commands); `run` and `serve` on rediss:// say to use a TLS tunnel;
# a password never shows; a Redis restarted from its AOF (kill -9) keeps every job.
source "$(dirname "$0")/lib.sh"
start_redis --appendonly yes --appendfsync always
db="$T/q.db"
rq="$REDIS_URL/0"

# run_both NAME ARGS...: runs `sluice ARGS` on each queue, leaving the outputs in
# $T/NAME.{sqlite,redis}.{out,err}; exit codes and stderr (with each queue's name replaced
# by QUEUE) must be the same.
run_both() {
  local name=$1 rs rr
  shift
  set +e
  "$SLUICE" --queue "$db" "$@" > "$T/$name.sqlite.out" 2> "$T/$name.sqlite.err"
  rs=$?
  "$SLUICE" --queue "$rq" "$@" > "$T/$name.redis.out" 2> "$T/$name.redis.err"
  rr=$?
  set -e
  [ "$rs" = "$rr" ] || fail "$name: exit $rs on SQLite, $rr on Redis: $(cat "$T/$name.redis.err")"
  same "$name" err
  LAST_RC=$rs
}

# same NAME out|err: the two outputs are the same, each queue's name replaced by QUEUE.
same() {
  diff -u <(sed "s|$db|QUEUE|g" "$T/$1.sqlite.$2") <(sed "s|$rq|QUEUE|g" "$T/$1.redis.$2") \
    > "$T/$1.diff" || fail "$1: std$2 differs: $(head -20 "$T/$1.diff")"
}

# both NAME ARGS...: run_both, and stdout must be the same too.
both() {
  run_both "$@"
  same "$1" out
}

# The read-only commands do not create a queue: a mistyped database is an error.
"$SLUICE" --queue "$REDIS_URL/5" status 2> "$T/none.err" && fail "status on an empty database succeeded"
grep -q "no sluice queue in $REDIS_URL/5" "$T/none.err" || fail "status on nothing said: $(cat "$T/none.err")"
[ "$(redis-cli -p "$REDIS_PORT" -n 5 dbsize)" = 0 ] || fail "status wrote to database 5"

cat > "$T/dump.jsonl" <<'J'
{"gtin": "0001", "image_url": "http://img.example/a.jpg"}
{"gtin": "0002", "image_url": "http://img.example/b.jpg"}
{"gtin": "0003", "image_url": "ftp://img.example/c.jpg"}
not json at all
{"gtin": "0004", "image_url": "https://cdn.example:8443/d.png"}
{"gtin": "0005", "image_url": "http://[::1]:8080/e.jpg"}
J
both enqueue-jsonl enqueue "$T/dump.jsonl" --url-field image_url --id-field gtin
[ "$LAST_RC" = 3 ] || fail "enqueue with bad lines exited $LAST_RC, expected 3"
grep -q "4 new, 0 unchanged, 0 re-queued, 2 rejected" "$T/enqueue-jsonl.redis.out" ||
  fail "enqueue said: $(cat "$T/enqueue-jsonl.redis.out")"
both enqueue-again enqueue "$T/dump.jsonl" --url-field image_url --id-field gtin
grep -q "0 new, 4 unchanged" "$T/enqueue-again.redis.out" || fail "not idempotent: $(cat "$T/enqueue-again.redis.out")"
printf 'sku,title,picture\n"A,1","Red, large",http://img.example/r.jpg\nB2,Blue,not a url\n0002,new,http://other.example/b-v2.jpg\n' > "$T/dump.csv"
both enqueue-csv enqueue "$T/dump.csv" --url-field picture --id-field sku
grep -q "1 new, 0 unchanged, 1 re-queued, 1 rejected" "$T/enqueue-csv.redis.out" ||
  fail "csv enqueue said: $(cat "$T/enqueue-csv.redis.out")"
printf 'http://img.example/x.jpg\n\n# comment\nhttp://img.example/y.jpg\n' > "$T/urls.txt"
both enqueue-lines enqueue "$T/urls.txt"
seq 1 2500 | sed 's|^|http://bulk.example/p/|' > "$T/bulk.txt"
both enqueue-batches enqueue "$T/bulk.txt" --batch 1000
pass "enqueue: JSONL, CSV, URL lines, in batches, bad lines, idempotent and re-queued alike"

both status status
both status-json status --json
jq 'del(.queue)' "$T/status-json.redis.out" > "$T/s2"
[ "$(jq -r .queue "$T/status-json.redis.out")" = "$rq" ] || fail "status --json names the queue"
[ "$(jq .all.queued "$T/s2")" = 2507 ] || fail "expected 2507 queued: $(cat "$T/s2")"
[ "$(jq '.hosts["other.example:80"].queued' "$T/s2")" = 1 ] || fail "the re-queued job is not on its new host"
pass "status (text and JSON) alike: $(jq -c .all "$T/s2")"

# export: every column but updated_at (each queue stamped its own enqueue time).
run_both export-csv-raw export --format csv
run_both export-jsonl-raw export --format jsonl
diff <(sed -E 's/,[^,]*$//' "$T/export-csv-raw.sqlite.out") <(sed -E 's/,[^,]*$//' "$T/export-csv-raw.redis.out") ||
  fail "export csv differs"
diff <(jq -c 'del(.updated_at)' "$T/export-jsonl-raw.sqlite.out") <(jq -c 'del(.updated_at)' "$T/export-jsonl-raw.redis.out") ||
  fail "export jsonl differs"
[ "$(wc -l < "$T/export-jsonl-raw.redis.out")" = 2507 ] || fail "export lost rows"
[ "$(jq -r 'select(.id == "0002") | .url' "$T/export-jsonl-raw.redis.out")" = http://other.example/b-v2.jpg ] ||
  fail "re-queued job keeps its old URL"
pass "export (csv and jsonl) alike, in enqueue order"

# The dead-letter queue: empty on both (only `run` buries jobs; the CLI test with dead jobs
# is tests/unit/cli/redis_cli_test.cpp).
both dlq-list dlq list
both dlq-list-json dlq list --json --reason http_404
both dlq-summary dlq summary --json
both dlq-export dlq export
both dlq-replay-refused dlq replay
[ "$LAST_RC" = 2 ] || fail "dlq replay without a filter exited $LAST_RC"
both dlq-replay-all dlq replay --all
grep -qx "replayed 0 jobs" "$T/dlq-replay-all.redis.out" || fail "replay said: $(cat "$T/dlq-replay-all.redis.out")"
pass "dlq list, summary, export and replay alike"

# run and serve refuse rediss:// with the way around it, and touch nothing (both work on
# redis://: test_redis_workers.sh, test_serve_redis.sh).
for cmd in run serve; do
  extra=()
  [ $cmd = serve ] && extra=(--listen 127.0.0.1:0)
  set +e
  "$SLUICE" --queue "rediss://127.0.0.1:$REDIS_PORT/0" $cmd --store "$T/store" "${extra[@]}" \
    > "$T/tls.out" 2> "$T/tls.err"
  rc=$?
  set -e
  [ "$rc" = 1 ] || fail "$cmd on rediss:// exited $rc"
  grep -q "TLS tunnel" "$T/tls.err" && grep -q "stunnel" "$T/tls.err" ||
    fail "$cmd on rediss:// said: $(cat "$T/tls.err")"
  [ ! -e "$T/store" ] || fail "$cmd on rediss:// created the store"
done
[ "$("$SLUICE" --queue "$rq" status --json | jq .all.leased)" = 0 ] || fail "rediss:// leased jobs"
pass "run and serve refuse rediss:// with: $(head -c 100 "$T/tls.err")..."

# Credentials never show; TLS and Cluster are refused with a way forward; a server that is
# not there is named.
set +e
"$SLUICE" --queue "redis://:s3cret-pw@127.0.0.1:$REDIS_PORT/0" status > /dev/null 2> "$T/auth.err"
rc=$?
set -e
[ "$rc" = 1 ] || fail "a wrong password was accepted"
grep -q "AUTH" "$T/auth.err" || fail "the AUTH failure is not said: $(cat "$T/auth.err")"
! grep -q "s3cret-pw" "$T/auth.err" || fail "the password shows: $(cat "$T/auth.err")"
"$SLUICE" --queue "rediss://u:s3cret-pw@127.0.0.1:$REDIS_PORT/0" status 2> "$T/tls.err" && fail "rediss:// accepted"
grep -q "stunnel" "$T/tls.err" || fail "rediss:// refusal: $(cat "$T/tls.err")"
! grep -q "s3cret-pw" "$T/tls.err" || fail "the password shows: $(cat "$T/tls.err")"
"$SLUICE" --queue "redis://127.0.0.1:1/0" enqueue "$T/urls.txt" 2> "$T/down.err" && fail "enqueue to nothing succeeded"
grep -q "cannot connect to redis://127.0.0.1:1/0" "$T/down.err" || fail "unreachable server: $(cat "$T/down.err")"
pass "passwords never shown; rediss:// and unreachable servers refused clearly"

# kill -9 the Redis server and start it again from its AOF: every job is still there.
"$SLUICE" --queue "$rq" status --json | jq 'del(.queue)' > "$T/before.json"
"$SLUICE" --queue "$rq" export --format jsonl > "$T/before.jsonl"
restart_redis
"$SLUICE" --queue "$rq" status --json | jq 'del(.queue)' > "$T/after.json"
"$SLUICE" --queue "$rq" export --format jsonl > "$T/after.jsonl"
diff -u "$T/before.json" "$T/after.json" || fail "status changed across the restart"
cmp -s "$T/before.jsonl" "$T/after.jsonl" || fail "the manifest changed across the restart"
pass "redis-server killed and restarted from its AOF: all $(jq .all.total "$T/after.json") jobs kept"
