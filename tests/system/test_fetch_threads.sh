#!/usr/bin/env bash
# --fetch-threads: downloads on several loops, each with a share of the host's cap. The
# strict provider counts what it sees: never over the cap, no violation, and the window still
# fills the whole cap (the shares add up to it). Cap 20 over 3 loops (7 + 7 + 6), and cap 2
# over 3 loops (the third loop gets no share of that host). No loop is refused a socket.
source "$(dirname "$0")/lib.sh"
for CAP in 20 2; do
  N=$((CAP * 60)) SIZE=2000-9000
  start_provider --cap $CAP --suspend --latency exp:10 --size $SIZE
  urls $N > "$T/urls$CAP.txt"
  db="$T/q$CAP.db"
  "$SLUICE" --queue "$db" enqueue "$T/urls$CAP.txt"
  "$SLUICE" --queue "$db" run --store "$T/store$CAP" --limit "$ADDR=$CAP" --allow-private \
    --fetch-threads 3 --progress off > "$T/run$CAP.out"
  [ "$(count done "$db")" = $N ] || fail "cap $CAP: expected $N done, got $(count done "$db")"
  [ "$(count dead "$db")" = 0 ] || fail "cap $CAP: dead jobs: $("$SLUICE" --queue "$db" status)"
  check_cap $CAP
  # No loop was refused a socket by the gate's fence: the shares kept every loop's
  # connections within its own (the summary names fence refusals when there are any).
  ! grep -q "fence refusals" "$T/run$CAP.out" || fail "cap $CAP: $(grep "fence refusals" "$T/run$CAP.out")"
  [ "$(stat_of .max_in_flight)" = $CAP ] || fail "cap $CAP: window never filled: $(stat_of .max_in_flight)"
  [ "$(stat_of '.by_status["200"]')" = $N ] || fail "cap $CAP: provider served $(stat_of '.by_status["200"]') 200s"
  verify_store "$db" "$T/store$CAP" $SIZE
  kill "$PROVIDER_PID"
  pass "cap $CAP over 3 fetch loops: $N stored"
done
