#!/usr/bin/env bash
# 20 Logs pages with live tail on (Debian's Chromium through playwright-core), opened, held 30 s
# while 200 lines/s arrive, and closed: the portal's RSS before, while open, after, 2 min later.
#   bench/faults/live-tail-pages.sh [PAGES (20)]      PORT=6130 by default
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
pages=${1:-20}
port=${PORT:-6130}
trap stop_all_nodes EXIT
node_deps
node_start "$port"
node_wait "$port"
token=$(bench_token "$port")
echo "machine: $(machine)"
OPSPORTAL_URL="http://127.0.0.1:$port" OPSPORTAL_EMAIL=$BENCH_EMAIL OPSPORTAL_PASSWORD=$BENCH_PASSWORD \
  SERVER_PID=$(app_pid "$port") TOKEN=$token node "$FAULTS_DIR/live-tail-pages.mjs" "$pages"
echo "  load average after: $(cut -d ' ' -f 1-3 /proc/loadavg)"
