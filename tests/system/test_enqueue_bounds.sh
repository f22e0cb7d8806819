#!/usr/bin/env bash
# enqueue in bounded memory: a 100 MB line is reported at its line with a short message and
# skipped without being held in memory; the lines around it are kept; --max-line-bytes
# moves the bound; host names no DNS could hold are refused with bad_url and their line.
source "$(dirname "$0")/lib.sh"
command -v /usr/bin/time > /dev/null || fail "/usr/bin/time is missing (Debian package time)"
db="$T/q.db"

# 100 MB in one line, through a pipe so it never sits on disk.
set +e
{
  echo "http://img.example/a.jpg"
  head -c 100000000 /dev/zero | tr '\0' x
  echo
  echo "http://img.example/b.jpg"
} | /usr/bin/time -f '%M' -o "$T/rss" "$SLUICE" --queue "$db" enqueue - > "$T/out" 2> "$T/err"
rc=${PIPESTATUS[1]}
set -e
cat "$T/out"
head -c 600 "$T/err"
echo
rss_kb=$(tail -1 "$T/rss")
echo "enqueue peak RSS with a 100 MB line: $rss_kb KB"
[ "$rc" = 3 ] || fail "exit code $rc, expected 3 (a line rejected)"
grep -qx "sluice: error: stdin:2: bad_input: line longer than 1048576 bytes (the rest of it was skipped; see --max-line-bytes)" "$T/err" ||
  fail "over-long line not reported at its line: $(head -c 300 "$T/err")"
[ "$(wc -c < "$T/err")" -lt 1000 ] || fail "error output is $(wc -c < "$T/err") bytes: a value echoed whole"
[ "$rss_kb" -lt 65536 ] || fail "peak RSS $rss_kb KB: the line was held in memory"
[ "$(count queued "$db")" = 2 ] || fail "the lines around the long one were not kept"

# The bound is a flag.
printf '{"url":"http://img.example/c.jpg"}\n{"url":"http://img.example/a-rather-long-name.jpg"}\n' > "$T/small.jsonl"
set +e
"$SLUICE" --queue "$db" enqueue "$T/small.jsonl" --max-line-bytes 40 2> "$T/err2"
rc=$?
set -e
[ "$rc" = 3 ] || fail "--max-line-bytes 40: exit $rc"
grep -q "small.jsonl:2: bad_input: line longer than 40 bytes" "$T/err2" || fail "--max-line-bytes not applied: $(cat "$T/err2")"
"$SLUICE" --queue "$db" enqueue "$T/small.jsonl" --max-line-bytes 1KiB > /dev/null || fail "--max-line-bytes 1KiB refused"

# Host names: a label over 63 bytes, a name over 253, a character DNS has no place for.
label=$(printf 'a%.0s' $(seq 64))
name=$(printf 'abcdefghij.%.0s' $(seq 24))example
{
  echo "http://$label.example/x.jpg"
  echo "http://$name/y.jpg"
  echo "http://a|b.example/z.jpg"
  echo "http://ok.example/w.jpg"
} > "$T/hosts.txt"
set +e
"$SLUICE" --queue "$db" enqueue "$T/hosts.txt" > "$T/out3" 2> "$T/err3"
rc=$?
set -e
cat "$T/err3"
[ "$rc" = 3 ] || fail "absurd hosts: exit $rc"
grep -q "hosts.txt:1: bad_url: host name .* has a label of 64 bytes, longer than 63" "$T/err3" || fail "long label not refused"
grep -q "hosts.txt:2: bad_url: host name .* is 271 bytes, longer than 253" "$T/err3" || fail "long name not refused"
grep -q "hosts.txt:3: bad_url: host name 'a|b.example' has a character not allowed" "$T/err3" || fail "bad character not refused"
grep -q "1 new" "$T/out3" || fail "the good line was not kept: $(cat "$T/out3")"
pass "a 100 MB line costs $rss_kb KB and one short message; absurd hosts refused"
