#!/usr/bin/env bash
# Raw throughput (issue 8, target 2): N files of SIZE bytes (valid JPEG magic) served by
# nginx on loopback with keep-alive on, fetched by sluice (enqueue + run, --limit
# HOST:PORT=CONC, into a fresh folder) and by its peers (wget2 --max-threads, curl
# --parallel-max, and aria2c -j -x 1 when PEERS names it) into fresh folders, on the same URLs.
# Every downloaded file's sha256 is checked against the served file, and sluice's manifest
# rows against the same sums. Prints for each: img/s, CPU per image (user + sys of the
# process, from GNU time), peak RSS, and the TCP connections and requests nginx counted
# (stub_status), nginx's own CPU per image and how busy the machine's CPUs were; then
# ratios against the best peer, and the img/s each contender's CPU per image allows on
# this machine's CPUs (beside nginx's).
#
# What sluice does per image that the peers do not (all on by default, none skipped here):
# sha256 of the body (by the folder store's threads for a body of up to 64 KiB, which waits
# in memory; while streaming for a longer one), the magic-byte content check, an atomic
# store (temp file renamed into place) and the manifest row committed with the job's state
# (SQLite WAL, group commits). sluice runs once per durability level in DURABILITY (`--durability`):
# "process" (the default level: no fsync; the queue at synchronous=NORMAL; survives a crash
# of sluice) and "power" (one syncfs of the store's file system before each group commit,
# the queue at synchronous=FULL; survives a power cut). The peers write the file and nothing
# else (no fsync).
#
# sluice runs with its default number of libcurl loops (`--fetch-threads`: one per CPU, at
# most 4), and also once per count in FETCH_THREADS at the default durability level.
#
# Usage: bench/raw.sh [N]   (N default 50000; CONC=64 SIZE=10240 PEERS="wget2 curl"
#                            DURABILITY="process power" FETCH_THREADS="1")
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/nginx.sh"
N=${1:-${N:-50000}}
CONC=${CONC:-64}
SIZE=${SIZE:-10240}
PEERS=${PEERS:-wget2 curl}
DURABILITY=${DURABILITY:-process power}
FETCH_THREADS=${FETCH_THREADS-1}  # empty: no run at a given count
for d in $DURABILITY; do
  case $d in process | power) ;; *) die "unknown durability level $d (process, power)" ;; esac
done
for t in $FETCH_THREADS; do
  [[ "$t" =~ ^[0-9]+$ ]] && [ "$t" -ge 1 ] || die "FETCH_THREADS: $t is not a count from 1"
done
# The sluice contenders: NAME:LEVEL:THREADS. "sluice" is the default (process, its default
# loops: 0); "sluice_power" the power level; "sluice_tN" N fetch loops.
SLUICES=()
for level in $DURABILITY; do
  name=sluice
  [ "$level" = process ] || name=sluice_$level
  SLUICES+=("$name:$level:0")
done
for t in $FETCH_THREADS; do
  SLUICES+=("sluice_t$t:process:$t")
done
need_peers $PEERS
[ "$SIZE" -ge 64 ] || die "SIZE must be at least 64 bytes"

machine
echo "bench/raw: N=$N size=$SIZE concurrency=$CONC peers: $PEERS"
echo "sluice does per image: sha256 (store threads; while streaming past 64 KiB), magic-byte check, temp file + rename," \
  "manifest row with the state change (queue: SQLite WAL, group commits); levels: $DURABILITY" \
  "(process: no fsync, synchronous=NORMAL; power: one syncfs per group commit, synchronous=FULL);" \
  "peers: write the file only"

make_image_files "$N" "$SIZE" "$W/files/img"
(cd "$W/files/img" && find . -maxdepth 1 -type f -printf '%f\0' | xargs -0 -r sha256sum) |
  LC_ALL=C sort > "$W/expected"
[ "$(wc -l < "$W/expected")" = "$N" ] || die "generated $(wc -l < "$W/expected") files, not $N"

start_nginx "$W/files"
HOST=127.0.0.1:$NGINX_PORT
echo "nginx: pid $NGINX_PID on $HOST, ${NGINX_WORKERS:-1} worker(s), keepalive_requests 10000000, keepalive_timeout 300s"
awk -v n="$N" -v h="$HOST" 'BEGIN { for (i = 1; i <= n; i++) printf "http://%s/img/%07d.jpg\n", h, i }' > "$W/urls.txt"
awk -v n="$N" -v h="$HOST" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"id\":\"%07d\",\"url\":\"http://%s/img/%07d.jpg\"}\n", i, h, i }' > "$W/jobs.jsonl"
# A pass nobody is measured on: nginx's first serving of each file costs it more than the
# next ones, which would slow whoever runs first (sluice) and not the others.
sed 's/.*/url = "&"\noutput = "\/dev\/null"/' "$W/urls.txt" > "$W/warm.cfg"
curl -sS --fail --parallel --parallel-max "$CONC" -K "$W/warm.cfg" 2> "$W/warm.err" ||
  die "warm-up pass failed: $(tail -3 "$W/warm.err")"

# verify_dir DIR: DIR holds exactly the N served files, byte for byte.
verify_dir() {
  (cd "$1" && find . -maxdepth 1 -type f -printf '%f\0' | xargs -0 -r sha256sum) | LC_ALL=C sort > "$1.sums"
  cmp -s "$W/expected" "$1.sums"
}

FAILED=() BEST_PEER="" BEST_RATE=0
# report NAME WALL CPU RSS_MIB CONNS REQS OK
report() {
  local name=$1 wall=$2 cpu=$3 rss=$4 conns=$5 reqs=$6 ok=$7 rate us
  rate=$(awk -v n="$N" -v w="$wall" 'BEGIN { printf "%.0f", n / w }')
  us=$(awk -v n="$N" -v c="$cpu" 'BEGIN { printf "%.0f", c * 1e6 / n }')
  printf '%-16s wall %8.3f s  %7s img/s  cpu %7.2f s  %5s us/img  rss %7s MiB  tcp connections %6s  requests %7s  nginx %3s us/img  machine busy %3s%% (steal %s%%)%s\n' \
    "$name" "$wall" "$rate" "$cpu" "$us" "$rss" "$conns" "$reqs" "$NGINX_US" "$BUSY" "$STEAL" \
    "$([ "$ok" = yes ] || echo "  FAILED")"
  eval "RATE_$name=$rate US_$name=$us CONNS_$name=$conns NGINX_$name=$NGINX_US"
  if [ "$ok" = yes ] && [ "${name#sluice}" = "$name" ] && [ "$rate" -gt "$BEST_RATE" ]; then
    BEST_PEER=$name BEST_RATE=$rate
  fi
}

# The server's counts around a contender: connections and requests it made (the status
# request that closes the window is taken off), nginx's CPU time, and how busy the whole
# machine was (all its CPUs: the contender, nginx and anything else).
counts_before() {
  read -r C0 R0 < <(nginx_counts)
  NT0=$(nginx_cpu_ticks)
  read -r B0 T0 S0 < <(cpu_ticks)
}
counts_after() {
  local c1 r1 b1 t1 s1 hz
  read -r b1 t1 s1 < <(cpu_ticks)
  hz=$(getconf CLK_TCK)
  NGINX_US=$(awk -v a="$NT0" -v b="$(nginx_cpu_ticks)" -v hz="$hz" -v n="$N" \
    'BEGIN { printf "%.0f", (b - a) / hz * 1e6 / n }')
  BUSY=$(awk -v b="$((b1 - B0))" -v t="$((t1 - T0))" 'BEGIN { printf "%.0f", t ? 100 * b / t : 0 }')
  STEAL=$(awk -v s="$((s1 - S0))" -v t="$((t1 - T0))" 'BEGIN { printf "%.0f", t ? 100 * s / t : 0 }')
  read -r c1 r1 < <(nginx_counts)
  CONNS=$((c1 - C0 - 1)) REQS=$((r1 - R0 - 1))
}

# Each sluice contender: enqueue, then run, each measured; img/s over both.
for contender in "${SLUICES[@]}"; do
  IFS=: read -r name level threads <<<"$contender"
  counts_before
  measure "$name-enqueue" "$SLUICE" --queue "$W/$name.db" enqueue "$W/jobs.jsonl" --id-field id
  measure "$name-run" "$SLUICE" --queue "$W/$name.db" run --store "$W/out-$name" \
    --limit "$HOST=$CONC" --allow-private --progress off --durability "$level" \
    --fetch-threads "$threads"
  counts_after
  ok=yes
  verify_dir "$W/out-$name" || { ok=no; echo "$name: stored files differ from the served ones" >&2; }
  "$SLUICE" --queue "$W/$name.db" export --format jsonl -o "$W/manifest-$name.jsonl"
  jq -r 'select(.state == "done") | "\(.sha256)  \(.key)"' "$W/manifest-$name.jsonl" | LC_ALL=C sort > "$W/manifest-$name.sums"
  cmp -s "$W/expected" "$W/manifest-$name.sums" || { ok=no; echo "$name: manifest rows differ from the served files" >&2; }
  [ $ok = yes ] || FAILED+=("$name")
  report "$name" "$(awk -v a="$(m "$name-enqueue" wall)" -v b="$(m "$name-run" wall)" 'BEGIN { printf "%.3f", a + b }')" \
    "$(awk -v a="$(m "$name-enqueue" cpu)" -v b="$(m "$name-run" cpu)" 'BEGIN { printf "%.2f", a + b }')" \
    "$(m "$name-run" rss_mib)" "$CONNS" "$REQS" "$ok"
  echo "  $name (--durability $level --fetch-threads $threads) enqueue: wall $(m "$name-enqueue" wall) s, cpu $(m "$name-enqueue" cpu) s;" \
    "run: wall $(m "$name-run" wall) s, cpu $(m "$name-run" cpu) s (user $(m "$name-run" user), sys $(m "$name-run" sys))," \
    "$(awk -v n="$N" -v c="$(m "$name-run" cpu)" 'BEGIN { printf "%.0f", c * 1e6 / n }') us/img in run alone"
done

for p in $PEERS; do
  dir=$W/out-$p
  mkdir -p "$dir"
  counts_before
  ok=yes
  case $p in
    wget2)
      measure wget2 wget2 -q --max-threads="$CONC" --tries=1 -P "$dir" -i "$W/urls.txt" || ok=no
      ;;
    curl)
      sed 's/.*/url = "&"/' "$W/urls.txt" > "$W/curl.cfg"
      measure curl curl -sS --fail --parallel --parallel-max "$CONC" --remote-name-all \
        --output-dir "$dir" -K "$W/curl.cfg" || ok=no
      ;;
    aria2c)
      measure aria2c aria2c -q -j "$CONC" -x 1 -s 1 --max-tries=1 --file-allocation=none \
        --auto-file-renaming=false --allow-overwrite=true -d "$dir" -i "$W/urls.txt" || ok=no
      ;;
  esac
  counts_after
  verify_dir "$dir" || { ok=no; echo "$p: downloaded files differ from the served ones" >&2; }
  [ $ok = yes ] || FAILED+=("$p")
  report "$p" "$(m "$p" wall)" "$(m "$p" cpu)" "$(m "$p" rss_mib)" "$CONNS" "$REQS" "$ok"
done

for contender in "${SLUICES[@]}"; do
  name=${contender%%:*}
  rate_var=RATE_$name us_var=US_$name conns_var=CONNS_$name
  if [ -n "$BEST_PEER" ]; then
    echo "ratio $name vs best peer ($BEST_PEER) img/s: $(ratio "${!rate_var}" "$BEST_RATE") (target >= 1)"
  fi
  echo "$name cpu per image: ${!us_var} us (target <= 70); tcp connections: ${!conns_var} (cap $CONC)"
done
# What this machine's CPUs allow: a client that needs C us per image beside nginx's G can
# fetch at most NCPU / (C + G) images a second, however it spreads its work.
ncpu=$(nproc)
for name in "${SLUICES[@]%%:*}" $PEERS; do
  us_var=US_$name ng_var=NGINX_$name
  echo "$name: $(awk -v c="${!us_var}" -v g="${!ng_var}" -v p="$ncpu" \
    'BEGIN { printf "%.0f", p * 1e6 / (c + g) }') img/s at most on $ncpu CPUs (${!us_var} us its own + ${!ng_var} us nginx's per image)"
done
[ ${#FAILED[@]} -eq 0 ] || die "did not fetch every file correctly: ${FAILED[*]}"
