#!/usr/bin/env bash
# --skip-existing: a second run over the same URLs (a fresh queue) finds every object
# already stored with the same sha256 (x-amz-meta-sha256, by HEAD) and uploads nothing;
# an object whose bytes were changed behind sluice's back is uploaded again.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/s3.sh"
N=40 CAP=5 SIZE=2000-9000
start_s3
start_provider --cap $CAP --size $SIZE
urls $N > "$T/urls.txt"
"$SLUICE" --queue "$T/q1.db" enqueue "$T/urls.txt" > /dev/null
run_s3 "$T/q1.db" skip --limit "$ADDR=$CAP" --key '{url_sha256}{ext}' > /dev/null
verify_s3 "$T/q1.db" skip $SIZE
puts_before=$(grep -c "Stored object" "$T/s3rver.out")

# Overwrite one object with other bytes and no sha256 metadata.
victim=$(jq -r 'select(.state=="done") | .key' "$T/manifest.jsonl" | head -1)
echo "not the image" | curl -fsS -X PUT -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
  -H 'Authorization: AWS4-HMAC-SHA256 Credential=S3RVER/20200101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0' \
  -H "x-amz-date: $(date -u +%Y%m%dT%H%M%SZ)" --data-binary @- "$S3_URL/$S3_BUCKET/skip/$victim"
puts_before=$((puts_before + 1))

"$SLUICE" --queue "$T/q2.db" enqueue "$T/urls.txt" > /dev/null
run_s3 "$T/q2.db" skip --limit "$ADDR=$CAP" --key '{url_sha256}{ext}' --skip-existing \
  > "$T/run2.out" 2> "$T/run2.err"
cat "$T/run2.out"
[ "$(count done "$T/q2.db")" = $N ] || fail "second run: $(count done "$T/q2.db") done, not $N"
grep -q -- "--skip-existing: $((N - 1)) object(s) were already stored" "$T/run2.err" ||
  fail "expected $((N - 1)) skipped: $(grep -v progress "$T/run2.err")"
puts_after=$(grep -c "Stored object" "$T/s3rver.out")
[ "$puts_after" = $((puts_before + 1)) ] ||
  fail "expected exactly one upload in the second run, s3rver stored $((puts_after - puts_before))"
verify_s3 "$T/q2.db" skip $SIZE
pass "s3 --skip-existing: $((N - 1)) skipped, the changed object uploaded again"
