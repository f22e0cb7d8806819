#!/usr/bin/env bash
# The embedded pipeline into a real S3-compatible server (s3rver): 500 URLs, cap 10,
# --suspend. Every object lands in the bucket under the prefix, byte-identical, with the
# right Content-Type and x-amz-meta-source-url, and the provider never sees more than 10
# connections.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/s3.sh"
N=500 CAP=10 SIZE=2000-9000
start_s3
start_provider --cap $CAP --suspend --latency exp:5 --size $SIZE
urls $N > "$T/urls.txt"
"$SLUICE" --queue "$T/q.db" enqueue "$T/urls.txt"
run_s3 "$T/q.db" products --limit "$ADDR=$CAP" --key 'img/{url_sha256}{ext}' > "$T/run.out"
cat "$T/run.out"
grep -q "into s3 $S3_BUCKET/products at $S3_URL" "$T/run.out" || fail "summary does not describe the store"
[ "$(count done "$T/q.db")" = $N ] || fail "expected $N done, got $(count done "$T/q.db")"
[ "$(count dead "$T/q.db")" = 0 ] || fail "dead jobs: $("$SLUICE" --queue "$T/q.db" status)"
check_cap $CAP
[ "$(s3_keys products/ | wc -l)" = $N ] || fail "bucket lists $(s3_keys products/ | wc -l) objects, not $N"
verify_s3 "$T/q.db" products $SIZE
pass "s3 pipeline: $N objects stored and verified"
