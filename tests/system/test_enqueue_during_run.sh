#!/usr/bin/env bash
# Daily updates arrive while `run --follow` works: a second `sluice enqueue` gives new URLs
# to jobs the run holds leases on (fetching them, or buffered for a slot). The run must not
# stop (it did: its next group commit was refused whole), and every job must end done with
# its NEW URL's bytes, under the cap.
source "$(dirname "$0")/lib.sh"
CAP=4
SIZE=3000
N=60
start_provider --cap $CAP --suspend --latency fixed:150 --size $SIZE
db="$T/q.db"
# products.csv: id,url with the given version in every path.
dump() {
  awk -v n=$N -v addr="$ADDR" -v v="$1" \
    'BEGIN { print "id,url"; for (i = 1; i <= n; i++) printf "p%03d,http://%s/img/%s-%03d.jpg\n", i, addr, v, i }'
}
dump old > "$T/old.csv"
dump new > "$T/new.csv"
"$SLUICE" --queue "$db" enqueue "$T/old.csv" --id-field id > /dev/null
"$SLUICE" --queue "$db" run --follow --store "$T/store" --limit "$ADDR=$CAP" --allow-private \
  --progress off > "$T/run.out" 2>&1 &
RUN=$!
PIDS+=("$RUN")
in_flight() { [ "$(stat_of .in_flight)" -gt 0 ]; }
wait_for 30 in_flight || fail "the run never started fetching"
leased=$(count leased "$db")
"$SLUICE" --queue "$db" enqueue "$T/new.csv" --id-field id > "$T/enqueue.out"
cat "$T/enqueue.out"
grep -q "0 new, 0 unchanged, $N re-queued" "$T/enqueue.out" || fail "update not taken: $(cat "$T/enqueue.out")"
[ "$leased" -gt 0 ] || fail "no job was leased during the update; the test proves nothing"
echo "jobs leased by the run during the update: $leased (of $N)"

# Bounded wait for every job to be done again, while the run keeps going.
all_done() {
  kill -0 "$RUN" 2> /dev/null || fail "the run stopped during the update: $(tail -5 "$T/run.out")"
  [ "$(count done "$db")" = $N ]
}
wait_for 60 all_done || fail "not every job done: $("$SLUICE" --queue "$db" status --json)"
kill -0 "$RUN" 2> /dev/null || fail "the run stopped: $(tail -5 "$T/run.out")"
kill -INT "$RUN"
set +e
wait "$RUN"
rc=$?
set -e
cat "$T/run.out"
[ $rc = 130 ] || fail "run --follow exited $rc after SIGINT, expected 130"
grep -q "queue commit failed" "$T/run.out" && fail "a group commit was refused"

"$SLUICE" --queue "$db" export --format jsonl -o "$T/final.jsonl"
[ "$(jq -s 'length' "$T/final.jsonl")" = $N ] || fail "expected $N jobs"
old=$(jq -r 'select(.state != "done" or (.url | contains("/img/new-") | not)) | .id' "$T/final.jsonl" | wc -l)
[ "$old" = 0 ] || fail "$old jobs not done on their new URL"
verify_store "$db" "$T/store" $SIZE
check_cap $CAP
pass "update during run --follow: every job done on its new URL, the run went on"
