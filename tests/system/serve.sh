# Helpers for the `sluice serve` system tests; source after lib.sh.

# start_serve DB ARGS...: starts `sluice --queue DB serve --listen ${SERVE_LISTEN:-127.0.0.1:0}
# ARGS...` and waits for its "serve: listening on http://ADDR:PORT" line. Sets SERVE
# (http://127.0.0.1:PORT, also for a 0.0.0.0 bind) and SERVE_PID; its stderr goes to
# $T/serve.err, the rest of its stdout (the summary) to $T/serve.out.
start_serve() {
  local db=$1; shift
  exec {SFD}< <(exec "$SLUICE" --queue "$db" serve --listen "${SERVE_LISTEN:-127.0.0.1:0}" \
    "$@" 2>> "$T/serve.err")
  SERVE_PID=$!
  PIDS+=("$SERVE_PID")
  local w1 w2 w3 url
  read -r -t 30 -u "$SFD" w1 w2 w3 url || { cat "$T/serve.err" >&2; fail "serve did not start"; }
  [ "$w1 $w2 $w3" = "serve: listening on" ] || fail "unexpected first line: $w1 $w2 $w3 $url"
  SERVE="http://127.0.0.1:${url##*:}"
  cat <&"$SFD" > "$T/serve.out" &
}

# stop_serve: SIGTERM, then the exit code must be 130 (stopped by a signal, work released).
stop_serve() {
  kill -TERM "$SERVE_PID"
  local rc=0
  wait "$SERVE_PID" || rc=$?
  [ "$rc" = 130 ] || { tail -20 "$T/serve.err" >&2; fail "serve exited $rc after SIGTERM, expected 130"; }
}

# api METHOD PATH [CURL ARGS...]: prints the body, then the status code on a line of its own.
api() {
  local method=$1 path=$2; shift 2
  curl -sS -X "$method" -w '\n%{http_code}\n' "$@" "$SERVE$path"
}
# code_of / body_of: split what api printed.
code_of() { tail -n 1 <<<"$1"; }
body_of() { sed '$d' <<<"$1"; }

# free_port: a loopback TCP port nobody listens on now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# post_clients N: N clients at once, client c posting $T/c<c>.jsonl to $SERVE/api/jobs in
# batches of 50 lines; fails the test if any post is not answered 200.
post_clients() {
  local n=$1 c f pids=()
  for c in $(seq 0 $((n - 1))); do split -l 50 -d "$T/c$c.jsonl" "$T/c$c.part."; done
  for c in $(seq 0 $((n - 1))); do
    ( for f in "$T"/c$c.part.*; do
        code=$(curl -sS -o /dev/null -w '%{http_code}' --data-binary @"$f" "$SERVE/api/jobs")
        [ "$code" = 200 ] || { echo "client $c: $f answered $code" >&2; exit 1; }
      done ) &
    pids+=($!)
  done
  for c in "${pids[@]}"; do wait "$c" || fail "a client's post failed"; done
}
