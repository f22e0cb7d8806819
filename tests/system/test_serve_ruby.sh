#!/usr/bin/env bash
# The README's Ruby example (examples/push.rb, Net::HTTP only) run by Debian's ruby against
# a real `sluice serve` with a token: its records are enqueued with their gtin as id and
# end done within the cap; a file with a bad record makes it exit 1 naming the line, and
# nothing of that batch is enqueued.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve.sh"
command -v ruby > /dev/null || fail "ruby missing: apt-get install ruby (scripts/install-deps.sh)"
example="$(cd "$(dirname "$0")/../.." && pwd)/examples/push.rb"
readme="$(dirname "$example")/../README.md"
# The README shows this file's code: the block must be a verbatim part of it.
python3 - "$readme" "$example" <<'PY' || fail "README's Ruby example drifted from examples/push.rb"
import re, sys
readme, example = (open(p).read() for p in sys.argv[1:3])
block = re.search(r"```ruby\n(.*?)```", readme, re.S).group(1)
sys.exit(0 if block.strip() and block in example else 1)
PY
CAP=4 N=1500 SIZE=1500
db="$T/q.db"
export SLUICE_TOKEN="ruby-$RANDOM$RANDOM"

start_provider --cap $CAP --suspend --latency fixed:5 --size $SIZE
start_serve "$db" --store "$T/store" --limit "$ADDR=$CAP" --allow-private --progress off
awk -v n=$N -v a="$ADDR" 'BEGIN { for (i = 1; i <= n; i++)
  printf "{\"gtin\": \"4006381%06d\", \"image_url\": \"http://%s/img/%06d.jpg\", \"title\": \"product %d\"}\n", i, a, i, i }' \
  > "$T/products.jsonl"
SLUICE_URL=$SERVE ruby "$example" "$T/products.jsonl" > "$T/ruby.out" 2> "$T/ruby.err" ||
  { cat "$T/ruby.err"; fail "push.rb failed"; }
cat "$T/ruby.out"
[ "$(grep -c '^batch ' "$T/ruby.out")" = 2 ] || fail "expected 2 batches: $(cat "$T/ruby.out")"
grep -q '^batch 2: 500 accepted (500 new' "$T/ruby.out" || fail "batch 2: $(cat "$T/ruby.out")"
all_done() { [ "$("$SLUICE" --queue "$db" status --json | jq .all.done)" = $N ]; }
wait_for 60 all_done || fail "not all done: $("$SLUICE" --queue "$db" status --json | jq -c .all)"
"$SLUICE" --queue "$db" export --format jsonl -o "$T/manifest.jsonl"
[ "$(jq -r .id "$T/manifest.jsonl" | sort)" = "$(jq -r .gtin "$T/products.jsonl" | sort)" ] ||
  fail "manifest ids are not the gtins"
check_cap $CAP
pass "push.rb: $N records in 2 batches, ids are gtins, all done within the cap"

{ head -3 "$T/products.jsonl"; echo '{"gtin": "x", "image_url": 42}'; } > "$T/bad.jsonl"
sed -i 's/"gtin": "4006381/"gtin": "5006381/' "$T/bad.jsonl"  # new ids: nothing known
set +e
SLUICE_URL=$SERVE ruby "$example" "$T/bad.jsonl" > "$T/bad.out" 2> "$T/bad.err"
rc=$?
set -e
[ $rc = 1 ] || fail "push.rb exited $rc on a bad record"
grep -q 'rejected_records' "$T/bad.err" && grep -q '^  line 4: field "image_url" is a number' "$T/bad.err" ||
  fail "push.rb's message: $(cat "$T/bad.err")"
[ "$("$SLUICE" --queue "$db" status --json | jq .all.total)" = $N ] || fail "the rejected batch enqueued something"
SLUICE_TOKEN=wrong SLUICE_URL=$SERVE ruby "$example" "$T/products.jsonl" > /dev/null 2> "$T/token.err" &&
  fail "push.rb with a wrong token succeeded"
grep -q '401 unauthorized' "$T/token.err" || fail "wrong token: $(cat "$T/token.err")"
stop_serve
pass "push.rb: a bad record exits 1 naming line 4, a wrong token 401; nothing enqueued"
