#!/usr/bin/env bash
# A Retry-After of a day pauses the host for --max-retry-after (default: --backoff-cap)
# at most, not for what the provider asks: the run still ends with every job done.
source "$(dirname "$0")/lib.sh"
N=60 CAP=4 SIZE=2000
for variant in flag default date; do
  args=() pargs=()
  case $variant in
    flag) args=(--max-retry-after 1) ;;        # explicit ceiling
    default) args=(--backoff-cap 1) ;;         # the ceiling follows --backoff-cap
    date) args=(--max-retry-after 1); pargs=(--retry-after-date) ;;
  esac
  start_provider --cap $CAP --suspend --latency exp:5 --size $SIZE --share-429 0.2 \
    --retry-after 86400 "${pargs[@]}"
  urls $N > "$T/urls-$variant.txt"
  db="$T/q-$variant.db"
  "$SLUICE" --queue "$db" enqueue "$T/urls-$variant.txt" >/dev/null
  # Bounded: a day's pause would run into the timeout and fail the test.
  timeout 60 "$SLUICE" --queue "$db" run --store "$T/store-$variant" --limit "$ADDR=$CAP" \
    --allow-private --backoff-base 0.05 --progress off "${args[@]}" ||
    fail "$variant: run did not finish (exit $?)"
  s=$("$SLUICE" --queue "$db" status --json)
  [ "$(jq .all.done <<<"$s")" = $N ] || fail "$variant: not every job done: $(jq -c .all <<<"$s")"
  [ "$(stat_of '.by_status."429" // 0')" -gt 0 ] || fail "$variant: the provider sent no 429"
  check_cap $CAP
  kill "$PROVIDER_PID"
  pass "$variant: Retry-After of a day capped; $N done"
done
