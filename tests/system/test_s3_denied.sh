#!/usr/bin/env bash
# Wrong credentials, a missing bucket and an unreachable endpoint fail `sluice run` at
# start: one clear error, a non-zero exit, no job leased (all still queued, none dead),
# and no secret in anything printed. Then credentials from a shared credentials file
# profile work.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/s3.sh"
N=20 SIZE=2000-4000
SECRET='s3cr3t-Never-Print-Me/xyz'
start_s3
start_provider --cap 5 --size $SIZE
urls $N > "$T/urls.txt"
"$SLUICE" --queue "$T/q.db" enqueue "$T/urls.txt" > /dev/null

# expect_refused NAME PATTERN CMD...: CMD exits non-zero with one error line matching
# PATTERN, mentions no secret, and leaves every job queued.
expect_refused() {
  local name=$1 pattern=$2 rc=0
  shift 2
  "$@" > "$T/$name.out" 2> "$T/$name.err" || rc=$?
  [ "$rc" != 0 ] || fail "$name: run exited 0"
  [ "$(grep -c 'sluice: error:' "$T/$name.err")" = 1 ] ||
    fail "$name: expected one error line, got: $(cat "$T/$name.err")"
  grep -q -- "$pattern" "$T/$name.err" || fail "$name: error does not say '$pattern': $(cat "$T/$name.err")"
  ! grep -q -F -- "$SECRET" "$T/$name.out" "$T/$name.err" || fail "$name: the secret was printed"
  [ "$(count queued "$T/q.db")" = $N ] || fail "$name: $(count queued "$T/q.db") queued, not $N"
  [ "$(count leased "$T/q.db")" = 0 ] || fail "$name: jobs left leased"
  [ "$(count dead "$T/q.db")" = 0 ] || fail "$name: jobs dead-lettered"
  echo "$name: $(cat "$T/$name.err")"
}

AWS_ACCESS_KEY_ID=AKIAWRONGKEY0000 AWS_SECRET_ACCESS_KEY=$SECRET \
  expect_refused wrong-key "InvalidAccessKeyId" run_s3 "$T/q.db" p --limit "$ADDR=5"
AWS_SECRET_ACCESS_KEY=$SECRET expect_refused missing-bucket \
  "bucket 'nosuchbucket' does not exist at $S3_URL (NoSuchBucket): create it or fix --store" \
  "$SLUICE" --queue "$T/q.db" run --store s3://nosuchbucket/p --s3-endpoint "$S3_URL" \
  --s3-spool "$T/spool" --allow-private
AWS_ACCESS_KEY_ID= AWS_SHARED_CREDENTIALS_FILE="$T/none" expect_refused no-credentials \
  "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not" run_s3 "$T/q.db" p
expect_refused unreachable "cannot reach http://127.0.0.1:1" \
  "$SLUICE" --queue "$T/q.db" run --store s3://bucket/p --s3-endpoint http://127.0.0.1:1 \
  --s3-spool "$T/spool" --allow-private

# The same run with the keys from a profile of a shared credentials file.
printf '# test\n[default]\naws_access_key_id = NOPE\naws_secret_access_key = %s\n\n[sluice]\r\naws_access_key_id = S3RVER\r\naws_secret_access_key = S3RVER\r\n' \
  "$SECRET" > "$T/credentials"
(
  unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
  export AWS_SHARED_CREDENTIALS_FILE="$T/credentials"
  expect_refused default-profile "InvalidAccessKeyId" run_s3 "$T/q.db" p
  AWS_PROFILE=sluice run_s3 "$T/q.db" p --limit "$ADDR=5" > "$T/profile.out"
)
[ "$(count done "$T/q.db")" = $N ] || fail "profile run: $(count done "$T/q.db") done, not $N"
verify_s3 "$T/q.db" p $SIZE
pass "s3 refusals stop the run at start with nothing leased; profile credentials work"
