#!/usr/bin/env bash
# Local disk faults on real small file systems (tmpfs mounts made here, as root): the
# store folder (and so the spool inside it) fills up mid-run, turns read-only mid-run,
# never recovers, or is read-only from the start. Fetching pauses, the cause is logged at
# warn level once with the path, nothing is dead-lettered or charged, the run resumes when
# the disk recovers, stops cleanly after --disk-wait with every unfinished job queued and
# no temp file left, and the provider (cap 10, --suspend) never sees the cap broken.
# Permission loss cannot be staged as root (chmod does not deny root): unit tests cover it
# (tests/unit/store/folder_store_denied_test.cpp, spool_probe_test.cpp, engine_disk_test).
source "$(dirname "$0")/lib.sh"

MOUNTS=()
disk_cleanup() {
  local rc=$?
  set +e  # (exit $rc) below must not end the trap early
  # The runs must be gone before their file systems can be unmounted.
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
  # 77: skipped (ctest's SKIP_RETURN_CODE), nothing to keep.
  if [ $rc = 77 ]; then (exit 0); else (exit $rc); fi
  cleanup
  exit $rc
}
trap disk_cleanup EXIT
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root to mount small tmpfs file systems (running as uid $(id -u))"

# new_mount NAME SIZE: a fresh tmpfs of SIZE at $T/NAME; prints its path.
new_mount() {
  local m="$T/$1"
  mkdir -p "$m"
  mount -t tmpfs -o "size=$2" tmpfs "$m" 2>"$T/mount.err" ||
    skip "cannot mount a tmpfs here: $(cat "$T/mount.err")"
  MOUNTS+=("$m")
}

# fill MOUNT: a filler file takes every free byte (dd stops at ENOSPC).
fill() {
  dd if=/dev/zero of="$1/filler" bs=64k status=none 2>/dev/null || true
  [ "$(df --output=avail "$1" | tail -1)" -le 4 ] || fail "could not fill $1: $(df -h "$1")"
}

N=600 CAP=10 SIZE=4000-8000
start_provider --cap $CAP --suspend --latency exp:30 --size $SIZE
urls $N > "$T/urls.txt"

run_bg() {  # run_bg CASE STORE [ARGS...]: a run in the background; RUN_PID, its log $T/CASE.out
  local case=$1 store=$2; shift 2
  "$SLUICE" --queue "$T/$case.db" run --store "$store" --limit "$ADDR=$CAP" --allow-private \
    --progress off "$@" > "$T/$case.out" 2>&1 &
  RUN_PID=$!
  PIDS+=("$RUN_PID")
}
done_at_least() { [ "$(count done "$1")" -ge "$2" ]; }
logged() { grep -q -- "$2" "$1"; }
no_dead() { [ "$(count dead "$1")" = 0 ] || fail "$2: dead jobs: $("$SLUICE" --queue "$1" status)"; }
# The warn line that starts a fault episode: exactly one, naming the path and the cause.
one_warning() {
  local log=$1 path=$2 cause=$3 lines
  lines=$(grep -c "warn: local disk fault" "$log" || true)
  [ "$lines" = 1 ] || fail "expected one 'local disk fault' warning, got $lines: $(grep warn "$log" | head -5)"
  grep "warn: local disk fault" "$log" | grep -F -- "$path" | grep -qF -- "$cause" ||
    fail "the warning does not name $path and '$cause': $(grep "warn: local disk fault" "$log")"
}
# After a run that recovered: every job done, uncharged, stored byte for byte, the cap held.
all_done() {
  local case=$1 store=$2 db="$T/$1.db" s
  s=$("$SLUICE" --queue "$db" status --json)
  [ "$(jq .all.done <<<"$s")" = $N ] || fail "$case: not every job done: $s"
  "$SLUICE" --queue "$db" export --format jsonl | jq -e -s 'all(.[]; .attempts == 1)' >/dev/null ||
    fail "$case: attempts were charged for the disk fault"
  grep -c "disk writable again, resuming" "$T/$case.out" > "$T/resumed" || true
  [ "$(cat "$T/resumed")" = 1 ] || fail "$case: expected one 'disk writable again' line"
  grep -q "circuit opened for" "$T/$case.out" && fail "$case: a circuit opened for a local fault"
  check_cap $CAP
  local opened
  opened=$(stat_of .connections_total)
  echo "$case: provider counted $opened connections opened for $(stat_of .requests_total) requests"
  # Transfers cut in a loop opened hundreds; drained ones keep their connections.
  [ "$opened" -le $((CAP + 5)) ] || fail "$case: $opened connections opened for a cap of $CAP"
  verify_store "$db" "$store" $SIZE
}

# 1. The disk fills up mid-run, then space comes back.
case_full() {
  M="$T/full"; new_mount full 8m
  "$SLUICE" --queue "$T/full.db" enqueue "$T/urls.txt" > /dev/null
  curl -fsS -X POST "http://$CONTROL/__reset" > /dev/null
  run_bg full "$M/store" --disk-wait 120
  wait_for 60 done_at_least "$T/full.db" 100 || fail "full: the run did not get going: $(cat "$T/full.out")"
  fill "$M"
  wait_for 30 logged "$T/full.out" "local disk fault" || fail "full: no warning about the full disk: $(tail -5 "$T/full.out")"
  no_dead "$T/full.db" "full, while paused"
  PAUSED_AT=$(count done "$T/full.db")
  rm "$M/filler"
  wait "$RUN_PID" || fail "full: run failed: $(tail -5 "$T/full.out")"
  [ "$PAUSED_AT" -lt $N ] || fail "full: the run had finished before the disk filled"
  one_warning "$T/full.out" "$M/store/.sluice-tmp/" "No space left on device"
  all_done full "$M/store"
  pass "disk full mid-run (at $PAUSED_AT done): paused, one warning, resumed, $N done, 0 dead"
}

# 2. The file system turns read-only mid-run, then writable again.
case_ro() {
  M="$T/ro"; new_mount ro 8m
  "$SLUICE" --queue "$T/ro.db" enqueue "$T/urls.txt" > /dev/null
  curl -fsS -X POST "http://$CONTROL/__reset" > /dev/null
  run_bg ro "$M/store" --disk-wait 120
  wait_for 60 done_at_least "$T/ro.db" 100 || fail "ro: the run did not get going: $(cat "$T/ro.out")"
  # A remount to read-only is refused (EBUSY) while a file is open for writing on it: try
  # again until it lands between two bodies.
  remount_ro() { mount -o remount,ro "$M" 2>/dev/null; }
  wait_for 20 remount_ro || fail "ro: could not remount $M read-only"
  findmnt -no OPTIONS "$M" | grep -q '^ro' || fail "ro: $M is not read-only"
  wait_for 30 logged "$T/ro.out" "local disk fault" || fail "ro: no warning about the read-only disk: $(tail -5 "$T/ro.out")"
  no_dead "$T/ro.db" "ro, while paused"
  PAUSED_AT=$(count done "$T/ro.db")
  mount -o remount,rw "$M"
  wait "$RUN_PID" || fail "ro: run failed: $(tail -5 "$T/ro.out")"
  [ "$PAUSED_AT" -lt $N ] || fail "ro: the run had finished before the remount"
  one_warning "$T/ro.out" "$M/store" "Read-only file system"
  all_done ro "$M/store"
  pass "read-only mid-run (at $PAUSED_AT done): paused, one warning, resumed, $N done, 0 dead"
}

# 3. The disk is full and stays full: the run stops after --disk-wait, everything queued.
case_never() {
  M="$T/never"; new_mount never 2m
  mkdir -p "$M/store"
  fill "$M"
  "$SLUICE" --queue "$T/never.db" enqueue "$T/urls.txt" > /dev/null
  curl -fsS -X POST "http://$CONTROL/__reset" > /dev/null
  start=$SECONDS
  set +e
  timeout 60 "$SLUICE" --queue "$T/never.db" run --store "$M/store" --limit "$ADDR=$CAP" \
    --allow-private --progress off --disk-wait 2 > "$T/never.out" 2>&1
  rc=$?
  set -e
  took=$((SECONDS - start))
  [ $rc = 1 ] || fail "never: expected exit status 1 after --disk-wait, got $rc: $(tail -5 "$T/never.out")"
  grep -q "error: run stopped: disk_full: .*$M/store/.sluice-tmp/.*No space left on device.*--disk-wait" "$T/never.out" ||
    fail "never: the final message does not name the cause and the path: $(tail -3 "$T/never.out")"
  one_warning "$T/never.out" "$M/store/.sluice-tmp/" "No space left on device"
  s=$("$SLUICE" --queue "$T/never.db" status --json)
  [ "$(jq .all.queued <<<"$s")" = $N ] || fail "never: not every job queued: $s"
  [ "$(jq '.all.dead + .all.leased + .all.done' <<<"$s")" = 0 ] || fail "never: jobs not queued: $s"
  "$SLUICE" --queue "$T/never.db" export --format jsonl | jq -e -s 'all(.[]; .attempts == 0)' >/dev/null ||
    fail "never: attempts were charged"
  left=$(find "$M/store" -type f | wc -l)
  [ "$left" = 0 ] || fail "never: $left files left in the store: $(find "$M/store" -type f | head -3)"
  check_cap $CAP
  requests=$(stat_of .requests_total)
  # The transfers under way when the disk failed, then the spool probes: no stream of requests.
  [ "$requests" -le $((2 * CAP)) ] || fail "never: $requests requests sent to the provider while the disk was full"
  pass "disk never recovers: exit 1 after ${took} s (--disk-wait 2), $N queued, 0 dead, $requests requests, no temp files"
}

# 4. Read-only from the start: a setting to fix, so the run stops at once, before leasing.
case_rostart() {
  M="$T/rostart"; new_mount rostart 1m
  mkdir -p "$M/store/.sluice-tmp"
  mount -o remount,ro "$M"
  "$SLUICE" --queue "$T/rostart.db" enqueue "$T/urls.txt" > /dev/null
  curl -fsS -X POST "http://$CONTROL/__reset" > /dev/null
  set +e
  timeout 60 "$SLUICE" --queue "$T/rostart.db" run --store "$M/store" --limit "$ADDR=$CAP" \
    --allow-private --progress off > "$T/rostart.out" 2>&1
  rc=$?
  set -e
  [ $rc = 1 ] || fail "rostart: expected exit status 1, got $rc: $(tail -3 "$T/rostart.out")"
  grep -q "store_denied: store folder '$M/store' cannot be written: .*Read-only file system" "$T/rostart.out" ||
    fail "rostart: the message does not say what to fix: $(cat "$T/rostart.out")"
  [ "$(count queued "$T/rostart.db")" = $N ] || fail "rostart: not every job queued"
  [ "$(stat_of .requests_total)" = 0 ] || fail "rostart: requests were sent before the check"
  pass "read-only at start: stopped at once with store_denied, $N queued, no request sent"
}

# DISK_CASES picks cases (to watch one fail on older code); all by default.
for c in ${DISK_CASES:-full ro never rostart}; do "case_$c"; done
