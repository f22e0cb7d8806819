#!/usr/bin/env bash
# sluice serve beyond loopback: refused without a token; with one, every endpoint but
# /healthz answers 401 to a missing or wrong token and changes nothing. The test binds
# 0.0.0.0 but talks to it only over 127.0.0.1.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/serve.sh"
db="$T/q.db"
TOKEN="t0k-$RANDOM-$RANDOM"

# No token: refused before anything listens.
set +e
"$SLUICE" --queue "$db" serve --listen 0.0.0.0:0 --store "$T/store" > "$T/refused.out" 2>&1
rc=$?
set -e
[ $rc = 2 ] || fail "serve on 0.0.0.0 without a token exited $rc, expected 2: $(cat "$T/refused.out")"
grep -q -- '--token' "$T/refused.out" || fail "refusal does not say what to do: $(cat "$T/refused.out")"
[ ! -e "$db" ] || fail "the refused serve created the queue file"
pass "0.0.0.0 without --token: refused (exit 2)"

start_provider --cap 3 --latency fixed:5 --size 1500
SERVE_LISTEN=0.0.0.0:0 SLUICE_TOKEN=$TOKEN start_serve "$db" --store "$T/store" --limit "$ADDR=3" \
  --allow-private --progress off
job="{\"url\": \"http://$ADDR/img/000001.jpg\"}"
before=$("$SLUICE" --queue "$db" status --json | jq -c .all)
for auth in "" "Authorization: Bearer wrong" "Authorization: Bearer ${TOKEN}x" \
            "Authorization: Bearer ${TOKEN:0:-1}" "Authorization: Basic $TOKEN" "Authorization: $TOKEN"; do
  for req in "POST /api/jobs" "POST /api/dlq/replay" "GET /api/status" "GET /api/dlq" \
             "GET /metrics" "GET /readyz" "GET /api/series"; do
    set -- $req
    args=(-d "$job")
    [ "$1" = GET ] && args=()
    [ -n "$auth" ] && args+=(-H "$auth")
    r=$(api "$1" "$2" "${args[@]}")
    [ "$(code_of "$r")" = 401 ] || fail "$req with '${auth:-no header}' answered $(code_of "$r")"
    [ "$(body_of "$r" | jq -r .error.code)" = unauthorized ] || fail "401 body: $r"
  done
done
[ "$("$SLUICE" --queue "$db" status --json | jq -c .all)" = "$before" ] || fail "a refused request changed the queue"
[ "$(stat_of .requests_total)" = 0 ] || fail "the provider saw requests"
r=$(api GET /healthz)
[ "$(code_of "$r")" = 200 ] || fail "/healthz needs no token: $r"
pass "wrong or missing token: 401 on every endpoint, nothing changed; /healthz open"

r=$(api POST /api/jobs -H "Authorization: Bearer $TOKEN" -d "$job")
[ "$(code_of "$r")" = 200 ] || fail "right token: $r"
one_done() { [ "$("$SLUICE" --queue "$db" status --json | jq .all.done)" = 1 ]; }
wait_for 30 one_done || fail "the job posted with the token was not done"
r=$(api GET /metrics -H "authorization: bearer $TOKEN")
[ "$(code_of "$r")" = 200 ] || fail "metrics with the token: $(code_of "$r")"
stop_serve
pass "the right token (SLUICE_TOKEN) is accepted; the job is done"
