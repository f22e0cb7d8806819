#!/usr/bin/env bash
# Where sluice's time goes on the raw workload (bench/raw.sh's files from nginx), measured in
# ways that do not depend on the machine's load: each step runs `sluice run` on N fresh
# jobs into a fresh folder, under one tool.
#   strace -c -f      syscalls per image (fsync, rename, openat, ...)
#   perf record       CPU per image by thread (engine loop / store workers) and library
#                     (cpu-clock samples: works in VMs without hardware counters)
#   valgrind callgrind instructions per image by library and by sluice function (SHA-NI is
#                     not emulated: OpenSSL's sha256 shows its generic code there; perf shows
#                     the real cost)
#   nginx stub_status TCP connections per request; heaptrack: peak heap at N and 4 x N
#   enqueue           callgrind of `sluice enqueue` and of sqlite3's bare .import, per line
# bench/PROFILE.md holds the findings. Not part of the test suite (minutes under valgrind).
#
# Usage: bench/profile.sh [N]   (N default 5000; CG_N=2000 jobs under callgrind; STEPS=
#        "strace perf callgrind heap enqueue" chooses the steps)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/nginx.sh"
N=${1:-${N:-5000}}
CG_N=${CG_N:-2000}
SIZE=${SIZE:-10240}
CONC=${CONC:-64}
STEPS=${STEPS:-strace perf callgrind heap enqueue}
need strace strace
need valgrind valgrind
need perf linux-perf
need heaptrack heaptrack
need python3 python3
need sqlite3 sqlite3
HERE=$(cd "$(dirname "$0")" && pwd)

machine
echo "bench/profile: N=$N (callgrind $CG_N) size=$SIZE concurrency=$CONC steps: $STEPS"
MAXN=$((4 * N > CG_N ? 4 * N : CG_N))
make_image_files "$MAXN" "$SIZE" "$W/files/img"
start_nginx "$W/files"
HOST=127.0.0.1:$NGINX_PORT

# sluice_run NAME N [WRAPPER...]: a fresh queue of N jobs and a fresh folder, `sluice run`
# under WRAPPER; prints the connections and requests nginx saw.
sluice_run() {
  local name=$1 n=$2 d=$W/$1
  shift 2
  mkdir -p "$d"
  awk -v n="$n" -v h="$HOST" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"id\":\"%07d\",\"url\":\"http://%s/img/%07d.jpg\"}\n", i, h, i }' > "$d/jobs.jsonl"
  "$SLUICE" --queue "$d/q.db" enqueue "$d/jobs.jsonl" --id-field id > /dev/null
  local c0 r0 c1 r1
  read -r c0 r0 < <(nginx_counts)
  "$@" "$SLUICE" --queue "$d/q.db" run --store "$d/out" --limit "$HOST=$CONC" --allow-private \
    --progress off > "$d/run.out" 2> "$d/run.err" || die "$name: sluice run failed: $(tail -3 "$d/run.err")"
  read -r c1 r1 < <(nginx_counts)
  local done_jobs
  done_jobs=$("$SLUICE" --queue "$d/q.db" status --json | jq .all.done)
  [ "$done_jobs" = "$n" ] || die "$name: $done_jobs of $n jobs done"
  echo "$name: $n images, tcp connections $((c1 - c0 - 1)), requests $((r1 - r0 - 1))"
}

for step in $STEPS; do
  case $step in
    strace)
      echo "== strace -c -f: syscalls per image"
      sluice_run strace "$N" strace -c -f -o "$W/strace.txt"
      awk -v n="$N" '$1 ~ /^[0-9.]+$/ && NF >= 5 { printf "%9.2f per image  %8.0f us each  %s\n", $4 / n, $3, $NF }' \
        "$W/strace.txt" | sort -rn | head -20
      ;;
    perf)
      echo "== perf record -e cpu-clock: CPU per image by thread and library"
      sluice_run perf "$N" perf record -q -e cpu-clock -F 4000 -o "$W/perf.data"
      python3 "$HERE/perf_split.py" "$W/perf.data" "$N" 250 12
      ;;
    callgrind)
      echo "== valgrind --tool=callgrind: instructions per image"
      sluice_run callgrind "$CG_N" valgrind -q --tool=callgrind --callgrind-out-file="$W/cg-run.out"
      python3 "$HERE/callgrind_split.py" "$W/cg-run.out" "$CG_N"
      ;;
    heap)
      echo "== heaptrack: peak heap at N and 4 x N"
      for n in "$N" $((4 * N)); do
        sluice_run "heap-$n" "$n" heaptrack -o "$W/heaptrack-$n"
        heaptrack_print -f "$W/heaptrack-$n.zst" --print-peaks 1 --print-allocators 0 --print-temporary 0 \
          --print-leaks 0 --peak-limit 3 --sub-peak-limit 0 2> /dev/null |
          grep -E '^peak heap|peak memory consumed|^ +in /|^peak RSS' | sed 's/^/  /'
      done
      ;;
    enqueue)
      echo "== callgrind: sluice enqueue vs sqlite3 .import, instructions per line ($((CG_N * 10)) lines)"
      n=$((CG_N * 10))
      awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++) { id = sprintf("%013.0f", (i * 2654435761) % 1e13)
        printf "{\"gtin\":\"%s\",\"title\":\"product %d\",\"image_url\":\"https://images.partner.example/p/%s/main.jpg\"}\n", id, i, id } }' > "$W/products.jsonl"
      jq -r '[.gtin, .image_url] | @csv' "$W/products.jsonl" > "$W/products.csv"
      valgrind -q --tool=callgrind --callgrind-out-file="$W/cg-enqueue.out" "$SLUICE" --queue "$W/enqueue.db" \
        enqueue "$W/products.jsonl" --url-field image_url --id-field gtin > /dev/null
      printf 'PRAGMA journal_mode = WAL;\nPRAGMA synchronous = NORMAL;\nCREATE TABLE jobs(id TEXT PRIMARY KEY, url TEXT NOT NULL);\n.import --csv %s jobs\n' \
        "$W/products.csv" > "$W/bare.sql"
      valgrind -q --tool=callgrind --callgrind-out-file="$W/cg-bare.out" sqlite3 "$W/bare.db" ".read $W/bare.sql" > /dev/null
      echo "sluice enqueue:"
      python3 "$HERE/callgrind_split.py" "$W/cg-enqueue.out" "$n"
      echo "sqlite3 .import:"
      python3 "$HERE/callgrind_split.py" "$W/cg-bare.out" "$n" --libraries-only
      ;;
    *) die "unknown step $step" ;;
  esac
done
