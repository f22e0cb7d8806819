#!/usr/bin/env bash
# Every fault mode of the provider in one run. The provider says which path gets which
# fault (--print-faults); each job must end as the failure policy says: transient ones
# (429 with Retry-After, reset mid-body, short body) done after retries, permanent ones
# dead with the right reason, and the cap held throughout.
source "$(dirname "$0")/lib.sh"
N=400 CAP=8 SIZE=3000
faults=(--share-404 0.04 --share-410 0.04 --share-429 0.05 --retry-after 1 --share-reset 0.05
        --share-short 0.05 --share-wrong-type 0.04 --share-oversize 0.03 --oversize-bytes 300000
        --share-drip 0.02 --drip-bytes-per-s 50)
start_provider --cap $CAP --suspend --latency exp:5 --size $SIZE "${faults[@]}"
urls $N > "$T/urls.txt"
sed -E 's|^http://[^/]+||' "$T/urls.txt" | "$SLUICE" provider --size $SIZE "${faults[@]}" --print-faults > "$T/faults"
expect() { awk -v f="$1" '$1 == f' "$T/faults" | wc -l; }
for f in http_404 http_410 wrong_type oversize drip http_429 reset short; do
  [ "$(expect $f)" -gt 0 ] || fail "no path got fault $f; widen the shares"
done
"$SLUICE" --queue "$T/q.db" enqueue "$T/urls.txt"
# Oversized and dripped bodies are cut while the provider is still sending: each keeps its
# slot for --abandon-hold (1 s here, not the default 30 s, to keep the test short).
"$SLUICE" --queue "$T/q.db" run --store "$T/store" --limit "$ADDR=$CAP" --allow-private \
  --max-bytes 100000 --low-speed-limit 1000 --low-speed-time 1 --max-attempts 3 --progress off \
  --abandon-hold 1 > "$T/run.out"
cat "$T/run.out"
s=$("$SLUICE" --queue "$T/q.db" status --json)
echo "$s" | jq -c '.all, .dead_by_reason'
reason() { jq ".dead_by_reason.$1 // 0" <<<"$s"; }
[ "$(reason http_404)" = "$(expect http_404)" ] || fail "http_404: $(reason http_404) dead, $(expect http_404) expected"
[ "$(reason http_410)" = "$(expect http_410)" ] || fail "http_410 mismatch"
[ "$(reason not_image)" = "$(expect wrong_type)" ] || fail "not_image: $(reason not_image) vs $(expect wrong_type)"
[ "$(reason too_large)" = "$(expect oversize)" ] || fail "too_large: $(reason too_large) vs $(expect oversize)"
[ "$(reason timeout)" = "$(expect drip)" ] || fail "timeout: $(reason timeout) vs $(expect drip)"
dead=$(( $(expect http_404) + $(expect http_410) + $(expect wrong_type) + $(expect oversize) + $(expect drip) ))
[ "$(jq .all.dead <<<"$s")" = $dead ] || fail "dead $(jq .all.dead <<<"$s"), expected $dead"
[ "$(jq .all.done <<<"$s")" = $((N - dead)) ] || fail "transient faults did not all end done"
# Permanent failures were tried once; drip timeouts up to --max-attempts.
"$SLUICE" --queue "$T/q.db" export --format jsonl > "$T/m.jsonl"
jq -e -s 'map(select(.error=="http_404" or .error=="http_410" or .error=="not_image" or .error=="too_large") | .attempts) | all(. == 1)' "$T/m.jsonl" >/dev/null ||
  fail "a permanent failure was retried"
jq -e -s 'map(select(.error=="timeout") | .attempts) | all(. == 3)' "$T/m.jsonl" >/dev/null ||
  fail "timeouts were not retried up to --max-attempts"
# Transient faults cost exactly one more request each (429 honoured Retry-After).
jq -e -s --argjson r "$(expect reset)" --argjson sh "$(expect short)" --argjson q "$(expect http_429)" \
  '[.[] | select(.state=="done" and .attempts==2)] | length == ($r + $sh + $q)' "$T/m.jsonl" >/dev/null ||
  fail "transient faults did not end done on their second attempt"
[ -z "$(find "$T/store" -name '*.jpg' -size +100k)" ] || fail "an oversized body was stored"
# Every cut held a slot: one per oversized body, one per dripped attempt; no other fault
# (resets, short bodies, error statuses: the provider ended those) held one.
held=$(grep -Eo "slots held for cut requests [0-9]+" "$T/run.out" | grep -Eo "[0-9]+$")
[ "$held" = $(( $(expect oversize) + 3 * $(expect drip) )) ] ||
  fail "$held slots held; expected $(expect oversize) oversized + 3 x $(expect drip) dripped"
check_cap $CAP
verify_store "$T/q.db" "$T/store" $SIZE
pass "fault modes: $((N - dead)) done, $dead dead with the right reasons"
