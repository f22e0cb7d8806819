#!/usr/bin/env bash
# status, export and dlq read an existing queue: a mistyped --queue is an error naming the
# path, with a non-zero exit, and creates nothing. enqueue creates the queue.
source "$(dirname "$0")/lib.sh"
cd "$T"
typo="$T/sluice-typo.db"
for cmd in "status" "status --json" "export" "export -o $T/out.csv" "dlq list" "dlq summary" \
  "dlq export" "dlq replay --all"; do
  set +e
  # shellcheck disable=SC2086
  "$SLUICE" --queue "$typo" $cmd > "$T/out" 2> "$T/err"
  rc=$?
  set -e
  [ "$rc" != 0 ] || fail "'$cmd' on a missing queue exited 0: $(cat "$T/out")"
  grep -q "no queue file '$typo'" "$T/err" || fail "'$cmd': message does not name the path: $(cat "$T/err")"
  [ -z "$(ls "$T" | grep -v '^out$\|^err$')" ] || fail "'$cmd' created files: $(ls "$T")"
done
# The default queue too, when the current folder has none.
set +e
"$SLUICE" status > /dev/null 2> "$T/err"
rc=$?
set -e
[ "$rc" != 0 ] || fail "status without sluice.db exited 0"
[ ! -e "$T/sluice.db" ] || fail "status created sluice.db"
grep -q "no queue file 'sluice.db'" "$T/err" || fail "unclear message: $(cat "$T/err")"

echo "http://img.example/a.jpg" | "$SLUICE" --queue "$typo" enqueue - > /dev/null
[ "$(count queued "$typo")" = 1 ] || fail "status after enqueue"
pass "read-only commands refuse a missing queue and create nothing"
