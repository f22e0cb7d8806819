#!/usr/bin/env bash
# Virtual-hosted addressing (BUCKET.ENDPOINT/KEY) against s3rver serving the
# "s3.localhost" service endpoint (libcurl resolves *.localhost to loopback itself), in a
# region other than the default; the objects are read back path-style.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/s3.sh"
N=30 CAP=5 SIZE=2000-9000
start_s3 0 --service-endpoint localhost
start_provider --cap $CAP --size $SIZE
urls $N > "$T/urls.txt"
"$SLUICE" --queue "$T/q.db" enqueue "$T/urls.txt" > /dev/null
"$SLUICE" --queue "$T/q.db" run --store "s3://$S3_BUCKET/vh" --allow-private \
  --s3-endpoint "http://s3.localhost:$S3_PORT" --s3-virtual-hosted --s3-region eu-west-1 \
  --s3-spool "$T/spool" --limit "$ADDR=$CAP" --key 'a b/{url_sha256}+{ext}' --progress off \
  > "$T/run.out"
cat "$T/run.out"
grep -q "into s3 $S3_BUCKET/vh at http://s3.localhost:$S3_PORT" "$T/run.out" ||
  fail "summary does not describe the store"
[ "$(count done "$T/q.db")" = $N ] || fail "expected $N done, got $(count done "$T/q.db")"
verify_s3 "$T/q.db" vh $SIZE
# The bucket really travels in the Host header: against plain "localhost" s3rver takes the
# whole host "bucket.localhost" for the bucket's name, which does not exist.
rc=0
"$SLUICE" --queue "$T/q.db" run --store "s3://$S3_BUCKET/vh" --allow-private \
  --s3-endpoint "http://localhost:$S3_PORT" --s3-virtual-hosted --s3-spool "$T/spool" \
  2> "$T/neg.err" > /dev/null || rc=$?
[ "$rc" != 0 ] && grep -q NoSuchBucket "$T/neg.err" ||
  fail "virtual-hosted request to localhost did not carry the bucket in Host: $(cat "$T/neg.err")"
pass "s3 virtual-hosted: $N objects stored via $S3_BUCKET.s3.localhost"
