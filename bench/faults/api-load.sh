#!/usr/bin/env bash
# Concurrent API clients against one ./run.sh portal on loopback, and what they got: requests by
# status, 5xx other than 503+Retry-After, p50/p95/p99 per endpoint, PostgreSQL connections used.
#   bench/faults/api-load.sh [CLIENTS (50)] [SECONDS (60)]      PORT=6130 by default
# Seeds 20,000 access lines (once per run) so searches have something to read.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
clients=${1:-50}
seconds=${2:-60}
port=${PORT:-6130}
trap stop_all_nodes EXIT

node_start "$port"
node_wait "$port"
token=$(bench_token "$port")
access_lines 20000 /load >"$SCRATCH/seed.log"
[[ $(post_lines "$port" "$token" "$SCRATCH/seed.log") == 200 ]] || die "seeding access lines failed"

echo "machine: $(machine)"
sample_connections "$seconds" "$SCRATCH/connections.txt"
node "$FAULTS_DIR/load.mjs" --url "http://127.0.0.1:$port" --token "$token" --clients "$clients" --seconds "$seconds" \
  --json "$SCRATCH/api-load-$clients.json"
wait "$SAMPLER"
echo "  PostgreSQL connections of the portal's database: peak $(sort -n "$SCRATCH/connections.txt" | tail -n 1) (max_connections $(sql 'SHOW max_connections'))"
echo "  load average after: $(cut -d ' ' -f 1-3 /proc/loadavg)"
