#!/usr/bin/env bash
# Ids as a user expects: without --id-field, a JSONL record's "id" field or a CSV "id"
# column is the id (and keys the object); the URL is the id only when there is none.
source "$(dirname "$0")/lib.sh"
start_provider --cap 4 --size 1000
db="$T/q.db"
{
  echo "{\"id\": \"A1\", \"url\": \"http://$ADDR/img/a1.jpg\"}"
  echo "{\"id\": 4006381333931, \"url\": \"http://$ADDR/img/gtin.jpg\"}"
  echo "{\"url\": \"http://$ADDR/img/noid.jpg\"}"
} > "$T/p.jsonl"
"$SLUICE" --queue "$db" enqueue "$T/p.jsonl" > /dev/null
printf 'url,id\nhttp://%s/img/c1.jpg,C1\n' "$ADDR" > "$T/p.csv"
"$SLUICE" --queue "$db" enqueue "$T/p.csv" > /dev/null
"$SLUICE" --queue "$db" export --format jsonl | jq -r .id | sort > "$T/ids"
printf '%s\n' 4006381333931 A1 C1 "http://$ADDR/img/noid.jpg" | sort > "$T/expected"
diff "$T/expected" "$T/ids" || fail "ids are not the records' id fields"
"$SLUICE" --queue "$db" run --store "$T/store" --allow-private --progress off > /dev/null
# Objects are named {id}{ext} by default, the extension from the content type.
"$SLUICE" --queue "$db" export --format jsonl > "$T/manifest.jsonl"
for id in A1 4006381333931 C1; do
  key=$(jq -r --arg id "$id" 'select(.id == $id) | .key' "$T/manifest.jsonl")
  [[ "$key" == "$id".* ]] || fail "object of $id stored as '$key'"
  [ -f "$T/store/$key" ] || fail "object $key missing: $(ls "$T/store")"
done
# --id-field naming the URL's field keys by URL, an id field notwithstanding.
echo "{\"id\": \"Z9\", \"url\": \"http://$ADDR/img/z.jpg\"}" |
  "$SLUICE" --queue "$T/by-url.db" enqueue - --id-field url > /dev/null
[ "$("$SLUICE" --queue "$T/by-url.db" export --format jsonl | jq -r .id)" = "http://$ADDR/img/z.jpg" ] ||
  fail "--id-field url did not key by URL"
pass "id fields used by default; objects named by them"
