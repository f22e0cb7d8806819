#!/usr/bin/env bash
# Enqueue (issue 8, target 3): N JSONL lines ({"gtin": 13 digits, "image_url": ...}, the
# ids in a scattered order as a partner's dump has them) enqueued by sluice into a fresh
# queue file, then the same file again into the same queue (every line unchanged), against
# SQLite's bare insert of the same (id, url) pairs: the sqlite3 CLI's .import (one prepared
# INSERT, one transaction) into `jobs(id TEXT PRIMARY KEY, url TEXT NOT NULL)`, with the
# same durability as sluice's queue (WAL, synchronous=NORMAL). Prints wall, CPU and peak RSS
# of each, and the ratios sluice / bare (target <= 1.5) and re-enqueue / enqueue (<= 1).
#
# Usage: bench/enqueue.sh [N]   (N default 1000000)
source "$(dirname "$0")/lib.sh"
N=${1:-${N:-1000000}}
need sqlite3 sqlite3

machine
echo "bench/enqueue: N=$N JSONL lines"
# gtin = i x 2654435761 mod 10^13: distinct for every i below 10^13, in scattered order.
awk -v n="$N" 'BEGIN {
  for (i = 1; i <= n; i++) {
    id = sprintf("%013.0f", (i * 2654435761) % 1e13)
    printf "{\"gtin\":\"%s\",\"title\":\"product %d\",\"image_url\":\"https://images.partner.example/p/%s/main.jpg\"}\n", id, i, id
  }
}' > "$W/products.jsonl"
jq -r '[.gtin, .image_url] | @csv' "$W/products.jsonl" > "$W/products.csv"
echo "input: $(du -h "$W/products.jsonl" | cut -f1) JSONL; the bare insert reads the same pairs as CSV"

cat > "$W/bare.sql" << EOF
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE jobs(id TEXT PRIMARY KEY, url TEXT NOT NULL);
.import --csv $W/products.csv jobs
EOF
measure bare sqlite3 -bail "$W/bare.db" ".read $W/bare.sql"
measure enqueue "$SLUICE" --queue "$W/sluice.db" enqueue "$W/products.jsonl" --url-field image_url --id-field gtin
measure reenqueue "$SLUICE" --queue "$W/sluice.db" enqueue "$W/products.jsonl" --url-field image_url --id-field gtin

bare_rows=$(sqlite3 "$W/bare.db" "SELECT COUNT(*) FROM jobs")
[ "$bare_rows" = "$N" ] || die "bare insert holds $bare_rows rows, not $N"
grep -q "^enqueued from .*: $N new, 0 unchanged" "$W/enqueue.out" || die "enqueue said: $(cat "$W/enqueue.out")"
grep -q "^enqueued from .*: 0 new, $N unchanged" "$W/reenqueue.out" || die "re-enqueue said: $(cat "$W/reenqueue.out")"
queued=$("$SLUICE" --queue "$W/sluice.db" status --json | jq .all.queued)
[ "$queued" = "$N" ] || die "the queue holds $queued queued jobs, not $N"

row() {
  printf '%-22s wall %8.3f s  %9s lines/s  cpu %7.2f s  %6s us/line  rss %7s MiB\n' "$1" "$(m "$2" wall)" \
    "$(awk -v n="$N" -v w="$(m "$2" wall)" 'BEGIN { printf "%.0f", n / w }')" "$(m "$2" cpu)" \
    "$(awk -v n="$N" -v c="$(m "$2" cpu)" 'BEGIN { printf "%.2f", c * 1e6 / n }')" "$(m "$2" rss_mib)"
}
row "sqlite3 bare insert" bare
row "sluice enqueue" enqueue
row "sluice re-enqueue" reenqueue
echo "queue file: $(du -h "$W/sluice.db" | cut -f1) (WAL $(du -h "$W/sluice.db-wal" 2>/dev/null | cut -f1 || echo 0)); bare: $(du -h "$W/bare.db" | cut -f1)"
echo "ratio sluice enqueue / bare insert (wall): $(ratio "$(m enqueue wall)" "$(m bare wall)" %.2f) (target <= 1.5)"
echo "ratio sluice enqueue / bare insert (cpu): $(ratio "$(m enqueue cpu)" "$(m bare cpu)" %.2f) (less load-dependent than wall)"
echo "ratio sluice re-enqueue / enqueue (wall): $(ratio "$(m reenqueue wall)" "$(m enqueue wall)" %.2f) (target <= 1)"
echo "peak rss: enqueue $(m enqueue rss_mib) MiB, re-enqueue $(m reenqueue rss_mib) MiB (target <= 64)"
