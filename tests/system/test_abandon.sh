#!/usr/bin/env bash
# Abandoned requests keep their slot. The provider counts a request, and its connection,
# until its latency is over even when the client has left (--count-after-disconnect, as a
# thread-per-request server does), and a heavy tail of requests takes five times sluice's
# --timeout. A client that frees the slot when it gives up reconnects while the provider
# still counts the old request: one over the cap. By the provider's own count, sluice
# must never go over:
#  1. default --abandon-hold (30 s): every timed-out request is read to its end into
#     nothing, so its slot frees when the provider is done (no client ever leaves);
#  2. --abandon-hold shorter than the tail: the drain runs out, sluice cuts the request,
#     and the slot stays held after the cut; the summary and `status` show the holds.
source "$(dirname "$0")/lib.sh"
N=100 CAP=5 SIZE=2000 LONG=1500
start_provider --cap $CAP --suspend --count-after-disconnect --latency tail:30:0.15:$LONG \
  --size $SIZE --seed 5
args=(run --limit "$ADDR=$CAP" --allow-private --progress off --timeout 0.3
      --max-attempts 40 --backoff-base 0.05 --backoff-cap 0.2)

# run_phase NAME EXTRA_ARGS...: enqueues N URLs of its own and starts sluice on them.
run_phase() {
  local name=$1; shift
  urls $N "/img/$name/" > "$T/$name.txt"
  "$SLUICE" --queue "$T/$name.db" enqueue "$T/$name.txt" > /dev/null
  "$SLUICE" --queue "$T/$name.db" "${args[@]}" --store "$T/$name" "$@" > "$T/$name.out" 2>&1 &
  RUN_PID=$!; PIDS+=("$RUN_PID")
}
# finish_phase NAME: waits for the run to end; once the provider has counted a violation
# (it then suspends the account, and sluice would probe it for minutes) it is stopped.
ended_or_over() { ! kill -0 "$RUN_PID" 2>/dev/null || ! stat_is .violations 0; }
finish_phase() {
  local name=$1 rc=0
  wait_for 90 ended_or_over || true
  kill -0 "$RUN_PID" 2>/dev/null && kill -9 "$RUN_PID"
  wait "$RUN_PID" || rc=$?
  { grep -v "^sluice: debug" "$T/$name.out" || true; } | tail -4
  check_cap $CAP
  [ $rc = 0 ] || fail "$name: run exited $rc"
  local s; s=$("$SLUICE" --queue "$T/$name.db" status --json)
  [ "$(jq .all.done <<<"$s")" = $N ] || fail "$name: not every job done: $(jq -c .all <<<"$s")"
  grep -Eq "retried [1-9]" "$T/$name.out" || fail "$name: no request timed out; the test proves nothing"
  verify_store "$T/$name.db" "$T/$name" $SIZE
}
held_taken() { grep -Eo "slots held for cut requests [0-9]+" "$T/$1.out" | grep -Eo "[0-9]+$"; }

# 1. Timeouts drain: the provider sees every request through; no slot needs holding.
run_phase drain
finish_phase drain
[ "$(stat_of .client_left)" = 0 ] || fail "drain: sluice left $(stat_of .client_left) requests"
[ "$(held_taken drain)" = 0 ] || fail "drain: slots were held though nothing was cut"
echo "drain: $(stat_of '.by_status["200"]') responses, every timed-out one read to its end"

# 2. Timeouts cut after 0.3 + 0.8 s, while the provider still counts the request until
# 1.5 s: its slot is held 0.8 s more, past the provider's end.
left_before=$(stat_of .client_left)
run_phase hold --abandon-hold 0.8
held_shown() {
  "$SLUICE" --queue "$T/hold.db" status > "$T/status.txt"
  grep -q "HELD $ADDR: [0-9]* slot(s) held for cut requests" "$T/status.txt"
}
wait_for 60 held_shown || fail "hold: status never showed a held slot: $(cat "$T/status.txt")"
grep "HELD" "$T/status.txt"
finish_phase hold
cut=$(( $(stat_of .client_left) - left_before ))
[ "$cut" -gt 0 ] || fail "hold: sluice cut nothing; the test proves nothing"
taken=$(held_taken hold)
[ "$taken" -ge "$cut" ] || fail "hold: the provider saw $cut requests cut, but only $taken slots were held"
pass "abandoned requests: 0 violations; drained timeouts; $cut cuts, $taken slots held"
