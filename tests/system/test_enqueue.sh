#!/usr/bin/env bash
# enqueue: formats, bad lines reported with file:line and reason, valid lines kept,
# exit code 3 when something was rejected, idempotency and incremental re-queue.
source "$(dirname "$0")/lib.sh"
db="$T/q.db"
cat > "$T/dump.jsonl" <<'J'
{"gtin": "0001", "image_url": "http://img.example/a.jpg"}
{"gtin": "0002", "image_url": "http://img.example/b.jpg"}
{"gtin": "0003", "image_url": "ftp://img.example/c.jpg"}
not json at all
{"gtin": "0004"}
{"gtin": 5, "image_url": "https://img.example:8443/e.png"}
J
set +e
"$SLUICE" --queue "$db" enqueue "$T/dump.jsonl" --url-field image_url --id-field gtin \
  > "$T/out" 2> "$T/err"
rc=$?
set -e
cat "$T/out" "$T/err"
[ $rc = 3 ] || fail "exit code $rc, expected 3 (some lines rejected)"
grep -q "dump.jsonl:3:" "$T/err" || fail "line 3 (ftp URL) not reported"
grep -q "dump.jsonl:4:" "$T/err" || fail "line 4 (bad JSON) not reported"
grep -q "dump.jsonl:5:" "$T/err" || fail "line 5 (missing url) not reported"
[ "$(grep -c "dump.jsonl:" "$T/err")" = 3 ] || fail "valid lines reported as errors"
[ "$(count queued "$db")" = 3 ] || fail "expected 3 queued"
"$SLUICE" --queue "$db" status --json | jq -e '.hosts["img.example:8443"].queued == 1' >/dev/null ||
  fail "host key with port missing"

# Same file again: nothing new. A changed URL for a known id re-queues it.
"$SLUICE" --queue "$db" enqueue "$T/dump.jsonl" --url-field image_url --id-field gtin > "$T/out2" 2>/dev/null || true
grep -q "0 new, 3 unchanged" "$T/out2" || fail "second enqueue not idempotent: $(cat "$T/out2")"
echo '{"gtin": "0002", "image_url": "http://img.example/b-v2.jpg"}' |
  "$SLUICE" --queue "$db" enqueue - --url-field image_url --id-field gtin > "$T/out3"
grep -q "1 re-queued" "$T/out3" || fail "new URL for a known id not re-queued: $(cat "$T/out3")"
"$SLUICE" --queue "$db" export --format jsonl | jq -se 'any(.[]; .id=="0002" and .url == "http://img.example/b-v2.jpg")' >/dev/null ||
  fail "re-queued job keeps its old URL"

# CSV with a header and quoting; plain URL lines.
printf 'sku,title,picture\n"A,1","Red, large",http://img.example/r.jpg\nB2,Blue,not a url\n' > "$T/dump.csv"
set +e
"$SLUICE" --queue "$db" enqueue "$T/dump.csv" --url-field picture --id-field sku 2> "$T/err"
rc=$?
set -e
[ $rc = 3 ] || fail "csv: exit $rc"
grep -q "dump.csv:3:" "$T/err" || fail "csv line 3 not reported: $(cat "$T/err")"
"$SLUICE" --queue "$db" export --format jsonl | jq -se 'any(.[]; .id=="A,1")' >/dev/null || fail "quoted CSV id lost"
printf 'http://img.example/x.jpg\n\n# comment\nhttp://img.example/y.jpg\n' > "$T/urls.txt"
"$SLUICE" --queue "$db" enqueue "$T/urls.txt"
"$SLUICE" --queue "$db" export --format jsonl | jq -se 'any(.[]; .id=="http://img.example/y.jpg")' >/dev/null ||
  fail "URL lines: id should default to the URL"
[ "$(count queued "$db")" = 6 ] || fail "expected 6 queued, got $(count queued "$db")"
# Regression: an id that is not valid UTF-8 must not crash the JSON export.
printf 'id,url\nbad\377id,http://img.example/z.jpg\n' > "$T/latin1.csv"
"$SLUICE" --queue "$db" enqueue "$T/latin1.csv" --id-field id
"$SLUICE" --queue "$db" export --format jsonl > "$T/all.jsonl" || fail "export crashed on a non-UTF-8 id"
[ "$(wc -l < "$T/all.jsonl")" = 7 ] || fail "export lost rows"
# Many batches (one parsed while the one before is written): every valid line lands once,
# the bad ones are reported in input order, and the counts add up over the batches.
awk 'BEGIN { for (i = 1; i <= 100; i++) {
  if (i == 13 || i == 50 || i == 77) print "{\"gtin\": \"b" i "\"}";
  else printf "{\"gtin\": \"b%03d\", \"image_url\": \"http://img.example/b%03d.jpg\"}\n", i, i } }' > "$T/batches.jsonl"
set +e
"$SLUICE" --queue "$T/b.db" enqueue "$T/batches.jsonl" --url-field image_url --id-field gtin \
  --batch 7 > "$T/bout" 2> "$T/berr"
rc=$?
set -e
[ $rc = 3 ] || fail "batched enqueue: exit code $rc, expected 3"
grep -q "97 new, 0 unchanged, 0 re-queued, 3 rejected" "$T/bout" || fail "batched enqueue said: $(cat "$T/bout")"
[ "$(grep -o 'batches.jsonl:[0-9]*' "$T/berr" | tr '\n' ' ')" = "batches.jsonl:13 batches.jsonl:50 batches.jsonl:77 " ] ||
  fail "bad lines not reported in order: $(cat "$T/berr")"
[ "$(count queued "$T/b.db")" = 97 ] || fail "expected 97 queued after batches"
"$SLUICE" --queue "$T/b.db" export --format jsonl | jq -r .id | sort | uniq -d | grep -q . &&
  fail "an id was stored twice"
"$SLUICE" --queue "$T/b.db" enqueue "$T/batches.jsonl" --url-field image_url --id-field gtin \
  --batch 7 > "$T/bout2" 2> /dev/null || true
grep -q "0 new, 97 unchanged" "$T/bout2" || fail "batched re-enqueue: $(cat "$T/bout2")"

pass "enqueue formats, errors and idempotency"
