#!/usr/bin/env bash
# The main job on the embedded default, end to end: installs dependencies, builds, starts
# the bundled strict provider on loopback (cap 20, --suspend: one connection too many and
# it answers 403 to everything), enqueues product records, runs sluice, and prints a
# summary with the provider's own count of the maximum concurrency it saw.
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${RECORDS:-3000}
CAP=${CAP:-20}
LATENCY=${LATENCY:-exp:50}

bash scripts/install-deps.sh
TARGETS=sluice bash scripts/build.sh
SLUICE=$PWD/build/sluice

DEMO=${DEMO_DIR:-demo}
rm -rf "$DEMO" && mkdir -p "$DEMO"

# The partner: strict, suspends on the first violation; 1% of images are missing (404).
exec 3< <(exec "$SLUICE" provider --cap "$CAP" --suspend --latency "$LATENCY" \
            --size 20000-60000 --share-404 0.01)
PROVIDER_PID=$!
trap 'kill $PROVIDER_PID 2>/dev/null || true' EXIT
read -r -u 3 _ ADDR _ CONTROL
echo "demo: provider on $ADDR (cap $CAP, --suspend), stats on $CONTROL"

# A partner's dump: one JSON record per product, the image URL in image_url.
awk -v n="$RECORDS" -v addr="$ADDR" 'BEGIN {
  for (i = 1; i <= n; i++)
    printf "{\"gtin\":\"%013.0f\",\"name\":\"Product %d\",\"image_url\":\"http://%s/img/%013.0f.jpg\"}\n",
           4000000000000 + i, i, addr, 4000000000000 + i
}' > "$DEMO/products.jsonl"

"$SLUICE" --queue "$DEMO/sluice.db" enqueue "$DEMO/products.jsonl" \
  --url-field image_url --id-field gtin
"$SLUICE" --queue "$DEMO/sluice.db" run --store "$DEMO/images" \
  --limit "$ADDR=$CAP" --allow-private --key '{sha256:2}/{id}{ext}'
"$SLUICE" --queue "$DEMO/sluice.db" export --format csv -o "$DEMO/manifest.csv"

stats=$(curl -fsS "http://$CONTROL/__stats")
echo
echo "demo: summary"
"$SLUICE" --queue "$DEMO/sluice.db" status --json |
  jq -r '"  stored: \(.all.done)   dead: \(.all.dead) \(.dead_by_reason)   queued: \(.all.queued)"'
echo "$stats" | jq -r '"  provider saw: max open connections \(.max_open_connections), max in flight \(.max_in_flight) (cap \(.cap)), violations: \(.violations), suspended: \(.suspended)"'
echo "  objects: $(find "$DEMO/images" -type f -not -path '*/.sluice-tmp/*' | wc -l) files in $DEMO/images; manifest: $DEMO/manifest.csv"
[ "$(echo "$stats" | jq .violations)" = 0 ]
