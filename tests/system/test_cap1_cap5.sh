#!/usr/bin/env bash
# The same pipeline with cap 1 and cap 5, default limit (no --limit) for cap 5.
source "$(dirname "$0")/lib.sh"
for CAP in 1 5; do
  N=$((CAP * 60)) SIZE=1000-3000
  start_provider --cap $CAP --suspend --latency exp:5 --size $SIZE
  urls $N > "$T/urls$CAP.txt"
  db="$T/q$CAP.db"
  "$SLUICE" --queue "$db" enqueue "$T/urls$CAP.txt"
  if [ $CAP = 1 ]; then
    "$SLUICE" --queue "$db" run --store "$T/store$CAP" --limit "$ADDR=$CAP" --allow-private
  else
    "$SLUICE" --queue "$db" run --store "$T/store$CAP" --default-limit $CAP --allow-private
  fi
  [ "$(count done "$db")" = $N ] || fail "cap $CAP: expected $N done"
  check_cap $CAP
  [ "$(stat_of .max_in_flight)" = $CAP ] || fail "cap $CAP: window never filled"
  verify_store "$db" "$T/store$CAP" $SIZE
  kill "$PROVIDER_PID"
  pass "cap $CAP: $N stored"
done
