#!/usr/bin/env bash
# Global flags (--queue, -q, -v) work before or after the subcommand, at any depth.
source "$(dirname "$0")/lib.sh"
cd "$T"
db="$T/q.db"
printf 'http://img.example/a.jpg\nhttp://img.example/b.jpg\n' > "$T/urls.txt"
"$SLUICE" enqueue "$T/urls.txt" --queue "$db" -q > "$T/out" || fail "enqueue with flags after it refused"
[ -e "$db" ] || fail "--queue after the subcommand was not used"
[ ! -e "$T/sluice.db" ] || fail "the default queue was used instead of --queue"
[ "$("$SLUICE" status --json --queue "$db" -v | jq .all.queued)" = 2 ] || fail "status --queue"
[ "$("$SLUICE" export --queue "$db" --format jsonl | wc -l)" = 2 ] || fail "export --queue"
"$SLUICE" dlq list --queue "$db" > /dev/null 2>&1 || fail "dlq list --queue"
"$SLUICE" dlq --queue "$db" summary > /dev/null 2>&1 || fail "dlq --queue summary"
# Before the subcommand and from the environment, as ever.
[ "$("$SLUICE" --queue "$db" status --json | jq .all.queued)" = 2 ] || fail "--queue before"
[ "$(SLUICE_QUEUE="$db" "$SLUICE" status --json | jq .all.queued)" = 2 ] || fail "SLUICE_QUEUE"
set +e
"$SLUICE" status --no-such-flag 2> "$T/err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "an unknown flag exited $rc, expected 2"
pass "global flags anywhere on the command line"
