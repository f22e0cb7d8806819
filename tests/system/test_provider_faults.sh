#!/usr/bin/env bash
# The provider's fault modes through the real binary, seen by curl: --print-faults predicts
# which /img/ path gets which fault, and each one then behaves as src/provider/faults.h says,
# in its order, with --fail-first on top; /__stats counts every fault; /__reset forgets the
# per-path counts; Retry-After comes in both forms; timed suspension (after a violation, or
# on demand through POST /__suspend) lifts by itself.
source "$(dirname "$0")/lib.sh"
K=2 SIZE=4000 HALF=2000 OVERSIZE=2m
FLAGS=(--fail-first $K --fail-status 503 --share-410 0.1 --share-404 0.1 --share-429 0.1
       --retry-after 2 --share-reset 0.1 --share-short 0.1 --share-drip 0.1
       --drip-bytes-per-s 50 --share-oversize 0.1 --oversize-bytes $OVERSIZE
       --share-wrong-type 0.1 --size $SIZE)
start_provider "${FLAGS[@]}"

# Two paths of every kind, picked by the provider's own prediction.
for i in $(seq 1 400); do echo "/img/$i.jpg"; done \
  | "$SLUICE" provider "${FLAGS[@]}" --print-faults > "$T/faults"
KINDS="none oversize wrong_type http_410 http_404 http_429 reset short drip"
for kind in $KINDS; do
  awk -v k="$kind" '$1 == k { print; if (++n == 2) exit }' "$T/faults"
done > "$T/picked"
for kind in $KINDS; do
  [ "$(grep -c "^$kind " "$T/picked")" = 2 ] || fail "no two $kind paths among 400: $(cut -d' ' -f1 "$T/faults" | sort | uniq -c)"
done
# --print-faults is a pure function of (flags, path).
"$SLUICE" provider "${FLAGS[@]}" --print-faults < <(cut -d' ' -f2 "$T/faults") | cmp -s - "$T/faults" \
  || fail "--print-faults changed between runs"
cut -d' ' -f2 "$T/picked" | "$SLUICE" provider --size $SIZE --print-sha256 > "$T/sums"

# fetch PATH [CURL ARGS]: "EXIT CODE BYTES TYPE"; the body lands in $T/body.
fetch() {
  local path=$1 out rc=0; shift
  out=$(curl -sS "$@" -o "$T/body" -w '%{http_code} %{size_download} %{content_type}' \
    "http://$ADDR$path" 2>/dev/null) || rc=$?
  echo "$rc $out"
}
expect() {  # expect PATH WANT [CURL ARGS]
  local path=$1 want=$2 got; shift 2
  got=$(fetch "$path" "$@")
  [[ "$got" == $want ]] || fail "$path ($(grep " $path\$" "$T/picked" | cut -d' ' -f1)): got '$got', want '$want'"
}
whole() {  # whole PATH: a normal 200 with the bytes --print-sha256 predicts
  expect "$1" "0 200 $SIZE image/jpeg"
  [ "$(sha256sum < "$T/body" | cut -d' ' -f1)" = "$(awk -v p="$1" '$2 == p { print $1 }' "$T/sums")" ] \
    || fail "$1: wrong bytes"
}
fail_k() { for _ in $(seq 1 $K); do expect "$1" "0 503 * text/plain"; done; }

while read -r kind path; do
  case $kind in
    none) fail_k "$path"; whole "$path"; whole "$path" ;;
    oversize)
      for _ in 1 2; do expect "$path" "0 200 $((2 * 1024 * 1024)) image/jpeg"; done
      head -c 3 "$T/body" | od -An -tx1 | grep -q 'ff d8 ff' || fail "$path: oversize is no JPEG" ;;
    wrong_type)
      expect "$path" "0 200 * text/html"
      grep -qi '<html' "$T/body" || fail "$path: no HTML page" ;;
    http_410) for _ in 1 2 3; do expect "$path" "0 410 *"; done ;;
    http_404) for _ in 1 2 3; do expect "$path" "0 404 *"; done ;;
    http_429)
      ra=$(curl -sS -o /dev/null -D - "http://$ADDR$path" | tr -d '\r' \
        | awk 'NR == 1 { print $2 } tolower($1) == "retry-after:" { print $2 }' | paste -sd' ')
      [ "$ra" = "429 2" ] || fail "$path: first GET gave status and Retry-After '$ra'"
      expect "$path" "0 503 * text/plain"  # the second of the K failures
      whole "$path" ;;
    reset) fail_k "$path"; expect "$path" "56 200 $HALF image/jpeg"; whole "$path" ;;
    short) fail_k "$path"; expect "$path" "18 200 $HALF image/jpeg"; whole "$path" ;;
    drip)
      fail_k "$path"
      for _ in 1 2; do  # every GET drips: 50 B/s against a 1 s limit
        got=$(fetch "$path" --max-time 1)
        read -r rc code bytes _ <<<"$got"
        [ "$rc" = 28 ] && [ "$code" = 200 ] && [ "$bytes" -gt 0 ] && [ "$bytes" -lt $((SIZE / 2)) ] \
          || fail "$path: drip gave '$got'"
      done ;;
  esac
done < "$T/picked"

# The provider's own counts: two paths of each kind, each request above counted once.
# by_status counts responses fully written: not the resets, short bodies and abandoned drips.
wait_for 10 stat_is '.open_connections + .in_flight' 0 || fail "not settled: $(stats)"
s=$(stats)
want='{"suspended":0,"oversize":4,"wrong_type":2,"http_410":6,"http_404":6,"http_429":2,"fail_first":18,"reset":2,"short":2,"drip":4}'
[ "$(jq -c --argjson w "$want" '.faults == $w' <<<"$s")" = true ] \
  || fail "faults $(jq -c .faults <<<"$s"), want $want"
[ "$(jq -c '.by_status' <<<"$s")" = '{"200":16,"404":6,"410":6,"429":2,"503":18}' ] \
  || fail "by_status $(jq -c .by_status <<<"$s")"
[ "$(jq .requests_total <<<"$s")" = 56 ] || fail "requests_total: $s"

# /__reset forgets how many GETs each path had: fail-first starts over.
none=$(awk '$1 == "none" { print $2; exit }' "$T/picked")
curl -fsS -X POST "http://$CONTROL/__reset" > /dev/null
[ "$(stat_of .faults.fail_first)" = 0 ] || fail "reset kept fault counts: $(stats)"
fail_k "$none"; whole "$none"
pass "faults: every kind in order, fail-first on top, counts exact, reset"

# Retry-After as an HTTP date; --drip-once. Half the paths answer 429, the rest drip.
FLAGS=(--share-429 0.5 --retry-after 30 --retry-after-date --share-drip 1 --drip-once
       --drip-bytes-per-s 20)
start_provider "${FLAGS[@]}"
for i in $(seq 1 40); do echo "/img/$i.jpg"; done \
  | "$SLUICE" provider "${FLAGS[@]}" --print-faults > "$T/faults"
busy=$(awk '$1 == "http_429" { print $2; exit }' "$T/faults")
slow=$(awk '$1 == "drip" { print $2; exit }' "$T/faults")
[ -n "$busy" ] && [ -n "$slow" ] || fail "no 429 or drip path: $(cat "$T/faults")"
now=$(date +%s)
date_hdr=$(curl -sS -o /dev/null -D - "http://$ADDR$busy" | tr -d '\r' \
  | awk 'tolower($1) == "retry-after:" { $1 = ""; print substr($0, 2) }')
[[ "$date_hdr" =~ ^[A-Z][a-z]{2},\ [0-9]{2}\ [A-Z][a-z]{2}\ [0-9]{4}\ [0-9]{2}:[0-9]{2}:[0-9]{2}\ GMT$ ]] \
  || fail "Retry-After is no HTTP date: '$date_hdr'"
at=$(date -d "$date_hdr" +%s)
[ "$at" -ge $((now + 30)) ] && [ "$at" -le $((now + 32)) ] || fail "Retry-After $date_hdr is not now + 30 s"
expect "$busy" "0 200 16384 image/jpeg"
got=$(fetch "$slow" --max-time 1)  # the first GET drips ...
[[ "$got" == "28 200 "* ]] || fail "--drip-once first drip: $got"
expect "$slow" "0 200 16384 image/jpeg"  # ... and only that one
pass "Retry-After as a date; --drip-once"

# Timed suspension: after a violation (--suspend-for), and on demand (POST /__suspend).
"$SLUICE" provider --suspend --suspend-for 1 --print-faults < /dev/null 2>/dev/null \
  && fail "--suspend and --suspend-for together were accepted"
start_provider --cap 2 --suspend-for 1
fds=()
for i in 1 2 3; do exec {fd}<>"/dev/tcp/${ADDR%:*}/${ADDR#*:}"; fds+=("$fd"); done
wait_for 10 stat_is .open_connections 3 || fail "open connections: $(stats)"
[ "$(stat_of .suspended)" = true ] && [ "$(stat_of .suspended_remaining_ms)" -gt 0 ] \
  || fail "violation did not suspend: $(stats)"
for fd in "${fds[@]}"; do exec {fd}>&-; done
[ "$(curl -s -w ' %{http_code}' "http://$ADDR/img/1.jpg")" = "account suspended 403" ] \
  || fail "suspended provider served"
wait_for 10 stat_is .suspended false || fail "suspension did not lift: $(stats)"
expect /img/1.jpg "0 200 16384 image/jpeg"
curl -fsS -X POST "http://$CONTROL/__suspend?seconds=1" | jq -e '.suspended' > /dev/null \
  || fail "POST /__suspend did not suspend"
expect /status/200/x "0 403 *"
wait_for 10 stat_is .suspended false || fail "on-demand suspension did not lift: $(stats)"
expect /img/1.jpg "0 200 16384 image/jpeg"
[ "$(stat_of '.by_status["403"]')" = 2 ] && [ "$(stat_of .faults.suspended)" = 2 ] \
  && [ "$(stat_of .violations)" = 1 ] || fail "suspension counts: $(stats)"
pass "timed suspension after a violation and on demand, lifting by itself"
