#!/usr/bin/env bash
# The bundled provider on its own, through the real binary: it serves the bodies that
# --print-sha256 predicts, answers HEAD and /status/, misses the same --share-404 paths,
# catches one connection too many (and suspends), resets, writes --port-file, and stops
# cleanly on SIGTERM.
source "$(dirname "$0")/lib.sh"
CAP=3 SIZE=1000-5000 N=40
start_provider --cap $CAP --suspend --size $SIZE --share-404 0.2 --port-file "$T/port"
[ "$(cat "$T/port")" = "listening $ADDR control $CONTROL" ] || fail "--port-file: $(cat "$T/port")"

# Bodies: every 200 is byte for byte what --print-sha256 says; the rest are 404s.
for i in $(seq 1 $N); do echo "/img/$i.jpg"; done > "$T/paths"
for i in 1 2 3 4 5; do echo "/img/logo$i.png"; done >> "$T/paths"
"$SLUICE" provider --size $SIZE --print-sha256 < "$T/paths" > "$T/expected"
[ "$(wc -l < "$T/expected")" = $((N + 5)) ] || fail "--print-sha256 printed $(wc -l < "$T/expected") lines"
n404=0 png=
while read -r sum path; do
  code=$(curl -sS -o "$T/body" -w '%{http_code} %{content_type}' "http://$ADDR$path")
  case "$code" in
    "200 image/"*)
      [ "$(sha256sum < "$T/body" | cut -d' ' -f1)" = "$sum" ] || fail "$path: wrong bytes"
      case $path in
        *.png) [ "$code" = "200 image/png" ] || fail "$path: $code"; png=$path ;;
        *) [ "$code" = "200 image/jpeg" ] || fail "$path: $code" ;;
      esac ;;
    "404 "*) n404=$((n404 + 1)) ;;
    *) fail "$path: answered $code" ;;
  esac
done < "$T/expected"
[ $n404 -gt 0 ] && [ $n404 -lt $N ] || fail "--share-404 0.2 missed $n404 of $((N + 5))"
[ -n "$png" ] || fail "all five png paths were 404s"
[ "$(stat_of '.by_status["404"]')" = $n404 ] || fail "by_status 404 != $n404: $(stats)"
curl -fsS "http://$ADDR$png" | head -c 4 | od -An -tx1 | grep -q '89 50 4e 47' || fail "png magic"
# The same path gives the same answer again (404s are fixed by the path, not drawn).
miss=0
while read -r _ path; do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$ADDR$path")" != 404 ] || miss=$((miss + 1))
done < "$T/expected"
[ "$miss" = $n404 ] || fail "404s changed between passes: $miss vs $n404"

# HEAD and /status/.
len=$(curl -sSI "http://$ADDR$png" | tr -d '\r' | awk 'tolower($1)=="content-length:" {print $2}')
[ "$len" -ge 1000 ] && [ "$len" -le 5000 ] || fail "HEAD content-length $len"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$ADDR/status/503/x.jpg")" = 503 ] || fail "/status/503"
check_cap $CAP

# One connection too many: hold CAP+1 idle sockets; the provider counts, suspends, refuses.
fds=()
for i in $(seq 0 $CAP); do
  exec {fd}<>"/dev/tcp/${ADDR%:*}/${ADDR#*:}"
  fds+=("$fd")
done
wait_for 10 stat_is .open_connections $((CAP + 1)) || fail "open connections: $(stats)"
[ "$(stat_of .violations)" -ge 1 ] || fail "no violation counted: $(stats)"
[ "$(stat_of .suspended)" = true ] || fail "not suspended: $(stats)"
[ "$(stat_of .suspended_remaining_ms)" = -1 ] || fail "--suspend is not until reset: $(stats)"
for fd in "${fds[@]}"; do exec {fd}>&-; done
wait_for 10 stat_is .open_connections 0 || fail "connections not closed: $(stats)"
body=$(curl -s -w ' %{http_code}' "http://$ADDR/img/1.jpg")
[ "$body" = "account suspended 403" ] || fail "suspended provider answered: $body"

# Reset clears the suspension.
curl -fsS -X POST "http://$CONTROL/__reset" > /dev/null
[ "$(stat_of .suspended)" = false ] && [ "$(stat_of .violations)" = 0 ] || fail "reset: $(stats)"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$ADDR/status/200/ok")" = 200 ] || fail "after reset"

# SIGTERM: a clean stop with status 0.
kill -TERM "$PROVIDER_PID"
wait "$PROVIDER_PID" || fail "provider exited with status $? on SIGTERM"
pass "provider: bodies, HEAD, status, share-404, cap violation, suspension, reset, SIGTERM"
