#!/usr/bin/env bash
# One command for pages.mjs (issue 14.6): starts the portal with ./run.sh on a spare port (its private
# PostgreSQL unless OPSPORTAL_DATABASE is set; no demo content), opens and closes PAGES live-tail pages,
# prints the RSS figures, stops the portal.
#   bench/live-tail/pages.sh [--port N] [--pages N] [--rate LINES_PER_S]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here/../.."
port=5098 pages=20 rate=200
while [[ $# -gt 0 ]]; do
  case $1 in
    --port) port=$2; shift 2 ;;
    --pages) pages=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    *) echo "usage: bench/live-tail/pages.sh [--port N] [--pages N] [--rate LINES_PER_S]" >&2; exit 2 ;;
  esac
done
[[ -d $here/node_modules/playwright-core ]] || (cd "$here" && npm install --no-audit --no-fund >/dev/null)

export OPSPORTAL_ADMIN_EMAIL=bench@localhost OPSPORTAL_ADMIN_PASSWORD=Bench-password-1
log=$(mktemp)
./run.sh --no-demo --port "$port" >"$log" 2>&1 &
runner=$!
trap 'kill -TERM "$runner" 2>/dev/null; wait "$runner" 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 1 1200); do
  kill -0 "$runner" 2>/dev/null || break
  curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 1
done
curl -fs "http://127.0.0.1:$port/health" >/dev/null || { cat "$log"; echo "the portal did not start" >&2; exit 1; }
pid=$(ss -ltnpH "sport = :$port" | sed -nE 's/.*pid=([0-9]+).*/\1/p' | head -n 1)
[[ -n $pid ]] || { echo "no process listens on $port" >&2; exit 1; }
echo "portal pid $pid on port $port; $(nproc) cores; $(free -g | awk '/Mem:/ {print $2}') GB"
OPSPORTAL_URL="http://127.0.0.1:$port" OPSPORTAL_EMAIL=$OPSPORTAL_ADMIN_EMAIL OPSPORTAL_PASSWORD=$OPSPORTAL_ADMIN_PASSWORD \
  SERVER_PID=$pid PAGES=$pages RATE=$rate node "$here/pages.mjs"
