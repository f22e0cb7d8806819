#!/usr/bin/env bash
# Basic safety: private addresses refused by default (the provider sees nothing), hostile
# ids cannot escape the store's root, bodies over --max-bytes are dead-lettered.
source "$(dirname "$0")/lib.sh"
start_provider --cap 5 --suspend --size 4000
db="$T/q.db"
urls 5 > "$T/urls.txt"
"$SLUICE" --queue "$db" enqueue "$T/urls.txt"
"$SLUICE" --queue "$db" run --store "$T/store" --max-attempts 2
"$SLUICE" --queue "$db" status --json | jq -e '.dead_by_reason.blocked_address == 5' >/dev/null ||
  fail "loopback not refused: $("$SLUICE" --queue "$db" status)"
[ "$(stat_of .connections_total)" = 0 ] || fail "provider saw a connection to a refused address"

db2="$T/q2.db"
{
  echo "id,url"
  echo "../../escape,http://$ADDR/img/1.jpg"
  echo "/etc/passwd,http://$ADDR/img/2.jpg"
  echo "a/../../b,http://$ADDR/img/3.jpg"
} > "$T/hostile.csv"
"$SLUICE" --queue "$db2" enqueue "$T/hostile.csv" --id-field id
"$SLUICE" --queue "$db2" run --store "$T/root/store" --allow-private
[ -z "$(find "$T" -path "$T/root/store" -prune -o -type f -name '*.jpg' -print)" ] ||
  fail "an object was written outside the store root"
[ "$(find "$T/root/store" -type f -not -path '*/.sluice-tmp/*' | wc -l)" = 3 ] || fail "objects missing"
verify_store "$db2" "$T/root/store" 4000

db3="$T/q3.db"
urls 3 /img/big > "$T/big.txt"
"$SLUICE" --queue "$db3" enqueue "$T/big.txt"
"$SLUICE" --queue "$db3" run --store "$T/store3" --allow-private --max-bytes 1000
"$SLUICE" --queue "$db3" status --json | jq -e '.dead_by_reason.too_large == 3' >/dev/null ||
  fail "oversized bodies not dead-lettered as too_large"
[ -z "$(find "$T/store3" -type f)" ] || fail "an oversized body was stored"
pass "address policy, key sanitising, size cap"
