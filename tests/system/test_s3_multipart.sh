#!/usr/bin/env bash
# Objects over --s3-multipart-threshold go up in parts (CreateMultipartUpload, UploadPart,
# CompleteMultipartUpload): 300,000-byte objects, threshold 64 KiB, 100 KiB parts, so three
# parts each; every object arrives byte-identical. Smaller objects in the same run use one
# PUT. s3rver does not enforce S3's 5 MiB minimum part size, which is what lets this run
# with small parts.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/s3.sh"
N=30 CAP=10 SIZE=300000
start_s3
start_provider --cap $CAP --size $SIZE
urls $N > "$T/urls.txt"
"$SLUICE" --queue "$T/q.db" enqueue "$T/urls.txt" > /dev/null
run_s3 "$T/q.db" big --limit "$ADDR=$CAP" --key 'mp/{id}' --max-bytes 1000000 \
  --s3-multipart-threshold 64KiB --s3-part-size 100KiB > "$T/run.out"
cat "$T/run.out"
[ "$(count done "$T/q.db")" = $N ] || fail "expected $N done, got $(count done "$T/q.db")"
[ "$(count dead "$T/q.db")" = 0 ] || fail "dead jobs: $("$SLUICE" --queue "$T/q.db" status)"
parts=$(grep -c "Stored part" "$T/s3rver.out" || true)
completed=$(grep -c "Stored object .* successfully" "$T/s3rver.out" || true)
echo "s3rver stored $parts parts and $completed objects"
[ "$parts" = $((3 * N)) ] || fail "expected $((3 * N)) parts, s3rver stored $parts"
verify_s3 "$T/q.db" big $SIZE
[ -z "$(ls "$T/s3data/bucket/.s3rver_uploads" 2>/dev/null || true)" ] ||
  fail "multipart uploads left behind in s3rver"

# Below the threshold: one PUT each, no parts.
urls 10 /img/small- > "$T/small.txt"
"$SLUICE" --queue "$T/q.db" enqueue "$T/small.txt" > /dev/null
before=$(grep -c "Stored part" "$T/s3rver.out" || true)
run_s3 "$T/q.db" big --limit "$ADDR=$CAP" --key 'mp/{id}' --max-bytes 1000000 \
  --s3-multipart-threshold 1MiB > /dev/null
[ "$(count done "$T/q.db")" = $((N + 10)) ] || fail "small objects: $(count done "$T/q.db") done"
[ "$(grep -c "Stored part" "$T/s3rver.out" || true)" = "$before" ] ||
  fail "objects under the threshold were sent in parts"
verify_s3 "$T/q.db" big $SIZE
pass "s3 multipart: $N objects of $SIZE bytes in 3 parts each, intact"
