# Helpers for system tests against a real S3-compatible server: s3rver from npm, which
# scripts/install-deps.sh installs into .tools/. Source after lib.sh. s3rver checks the
# access key id (S3RVER) but not V4 signatures; unsigned requests are allowed, so the
# helpers below read objects back with plain curl.

S3RVER=${S3RVER_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.tools/node_modules/.bin/s3rver}
S3_BUCKET=bucket
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_SHARED_CREDENTIALS_FILE AWS_ENDPOINT_URL \
  AWS_ENDPOINT_URL_S3 AWS_REGION AWS_DEFAULT_REGION
export NO_PROXY='*'  # the store must talk to 127.0.0.1 directly, whatever the environment

# start_s3 [PORT [EXTRA ARGS...]]: starts s3rver on 127.0.0.1 (a free port unless PORT is
# given) with its data in $T/s3data and the bucket $S3_BUCKET, and waits (bounded) until
# it answers. Fails the test loudly if it cannot start. Sets S3_PORT, S3_URL, S3_PID.
start_s3() {
  local port=${1:-0}
  shift || true
  [ -x "$S3RVER" ] || fail "s3rver is not installed at $S3RVER: run scripts/install-deps.sh"
  mkdir -p "$T/s3data"
  : > "$T/s3rver.out"
  "$S3RVER" -d "$T/s3data" -a 127.0.0.1 -p "$port" --configure-bucket "$S3_BUCKET" "$@" \
    >> "$T/s3rver.out" 2>&1 &
  S3_PID=$!
  PIDS+=("$S3_PID")
  local deadline=$((SECONDS + 30))
  until grep -q "S3rver listening on" "$T/s3rver.out"; do
    kill -0 "$S3_PID" 2>/dev/null && [ $SECONDS -lt $deadline ] ||
      fail "s3rver did not start: $(tail -5 "$T/s3rver.out")"
    sleep 0.05
  done
  S3_PORT=$(sed -n 's/.*S3rver listening on .*:\([0-9]*\).*/\1/p' "$T/s3rver.out" | tail -1)
  S3_URL="http://127.0.0.1:$S3_PORT"
  wait_for 10 s3_ready || fail "s3rver does not answer at $S3_URL"
  cat "$T/s3rver.out" >> "$T/s3rver.log"
}

# stop_s3: kills s3rver (as a crash would) and waits until it is gone.
stop_s3() {
  kill -9 "$S3_PID" 2>/dev/null || true
  wait "$S3_PID" 2>/dev/null || true
  cat "$T/s3rver.out" >> "$T/s3rver.log"
}

s3_ready() { curl -fsS -o /dev/null "$S3_URL/$S3_BUCKET?max-keys=1" 2>/dev/null; }

# s3_keys PREFIX: the keys under PREFIX, one per line, by ListObjectsV2 (one page: the
# tests store fewer than 1,000 objects; s3rver cannot paginate V2 listings on Node 20).
s3_keys() {
  local xml
  xml=$(curl -fsS "$S3_URL/$S3_BUCKET?list-type=2&prefix=$1")
  grep -q '<IsTruncated>false</IsTruncated>' <<<"$xml" || fail "listing of $1 is truncated"
  grep -o '<Key>[^<]*</Key>' <<<"$xml" | sed -e 's/<Key>//' -e 's/<\/Key>//' || true
}

# header_of FILE NAME: a header's value from a file of response headers (curl -D).
header_of() {
  tr -d '\r' < "$1" | awk -v n="$(tr '[:upper:]' '[:lower:]' <<<"$2")" \
    'index(tolower($0), n ": ") == 1 { print substr($0, length(n) + 3) }'
}

# s3_header KEY NAME: one response header of HEAD object (empty if absent).
s3_header() {
  curl -fsS -I -o "$T/head.h" "$S3_URL/$S3_BUCKET/$1"
  header_of "$T/head.h" "$2"
}

# run_s3 DB PREFIX ARGS...: `sluice run` into s3://$S3_BUCKET/PREFIX on the local server.
run_s3() {
  local db=$1 prefix=$2
  shift 2
  "$SLUICE" --queue "$db" run --store "s3://$S3_BUCKET/$prefix" --s3-endpoint "$S3_URL" \
    --s3-spool "$T/spool" --allow-private --progress plain "$@"
}

# verify_s3 DB PREFIX SIZE: every done job's object is in the bucket under PREFIX/key with
# the bytes the provider's generator gives for its path (downloaded and hashed), the
# manifest's content type and its URL as x-amz-meta-source-url; the listing holds exactly
# the done jobs' keys; the spool holds no temp file.
verify_s3() {
  local db=$1 prefix=$2 size=$3
  "$SLUICE" --queue "$db" export --format jsonl -o "$T/manifest.jsonl"
  jq -r 'select(.state=="done") | .url' "$T/manifest.jsonl" | sed -E 's|^http://[^/]+||' |
    "$SLUICE" provider --size "$size" --print-sha256 | sort -k2 > "$T/expected"
  jq -r 'select(.state=="done") | "\(.sha256) \(.url)"' "$T/manifest.jsonl" |
    sed -E 's| http://[^/]+| |' | sort -k2 > "$T/manifest-sums"
  diff -q "$T/expected" "$T/manifest-sums" > /dev/null ||
    fail "manifest sha256 differs from the provider's bodies"
  local bad=0 sum key ctype url
  # key: each segment percent-encoded for the URL, as S3 expects.
  while IFS=$'\t' read -r sum key ctype url; do
    curl -fsS -D "$T/object.h" -o "$T/object" "$S3_URL/$S3_BUCKET/$prefix/$key" ||
      { echo "cannot get $prefix/$key" >&2; bad=$((bad + 1)); continue; }
    [ "$(sha256sum < "$T/object" | cut -d' ' -f1)" = "$sum" ] ||
      { echo "bad bytes: $prefix/$key" >&2; bad=$((bad + 1)); continue; }
    [ "$(header_of "$T/object.h" Content-Type)" = "$ctype" ] ||
      { echo "bad Content-Type: $prefix/$key" >&2; bad=$((bad + 1)); }
    [ "$(header_of "$T/object.h" x-amz-meta-source-url)" = "$url" ] ||
      { echo "bad x-amz-meta-source-url: $prefix/$key" >&2; bad=$((bad + 1)); }
  done < <(jq -r 'select(.state=="done")
      | [.sha256, (.key | split("/") | map(@uri) | join("/")), .content_type, .url] | @tsv' \
    "$T/manifest.jsonl")
  [ "$bad" = 0 ] || fail "$bad stored objects missing or wrong"
  diff <(s3_keys "$prefix/" | sort) \
    <(jq -r --arg p "$prefix/" 'select(.state=="done") | $p + .key' "$T/manifest.jsonl" | sort) \
    > /dev/null || fail "the bucket listing differs from the manifest's keys"
  local leftovers
  leftovers=$(find "$T/spool" -name '*.part' 2>/dev/null | wc -l)
  [ "$leftovers" = 0 ] || fail "$leftovers temp files left in $T/spool"
  echo "s3: $(wc -l < "$T/expected") objects verified byte for byte, with type and source URL"
}
