# nginx as a benchmark peer (sourced by bench scripts after lib.sh): serves a folder on a
# loopback port with keep-alive on (the server never closes a connection first during a
# run), and counts what it saw through stub_status on a second port.

# start_nginx ROOT: serves ROOT on 127.0.0.1:$NGINX_PORT; stub_status on $NGINX_STATUS_PORT.
# NGINX_WORKERS (1) worker processes.
start_nginx() {
  local root=$1 dir=$W/nginx try
  need nginx nginx-light
  mkdir -p "$dir/tmp"
  for try in 1 2 3 4 5 6 7 8 9 10; do
    NGINX_PORT=$((20000 + RANDOM % 20000))
    NGINX_STATUS_PORT=$((NGINX_PORT + 1))
    {
      [ "$(id -u)" -eq 0 ] && echo "user root;"
      cat << EOF
worker_processes ${NGINX_WORKERS:-1};
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 8192; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 300s;
  keepalive_requests 10000000;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096;
    root $root;
  }
  server {
    listen 127.0.0.1:$NGINX_STATUS_PORT;
    location = /status { stub_status; }
  }
}
EOF
    } > "$dir/nginx.conf"
    nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" > "$dir/stdout" 2>&1 &
    NGINX_PID=$!
    BENCH_PIDS+=("$NGINX_PID")
    local deadline=$((SECONDS + 10))
    while kill -0 "$NGINX_PID" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
      curl -fsS "http://127.0.0.1:$NGINX_STATUS_PORT/status" > /dev/null 2>&1 && return 0
      sleep 0.05
    done
    kill "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
    grep -q "Address already in use" "$dir/error.log" 2>/dev/null || break
  done
  cat "$dir/error.log" >&2 2>/dev/null || true
  die "nginx did not start"
}

# nginx_cpu_ticks: CPU time (user + sys, clock ticks) nginx's workers have used so far.
nginx_cpu_ticks() {
  local t=0 pid
  for pid in $(pgrep -P "$NGINX_PID"); do
    t=$((t + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
  done
  echo "$t"
}

# nginx_counts: "ACCEPTED_CONNECTIONS REQUESTS" so far (this status request included).
nginx_counts() {
  curl -fsS "http://127.0.0.1:$NGINX_STATUS_PORT/status" | awk 'NR == 3 { print $1, $3 }'
}
