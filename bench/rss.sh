#!/usr/bin/env bash
# Measures the portal's resident memory: idle after start, and after some traffic.
#   bench/rss.sh [--port N] [--idle SECONDS]
# Starts ./run.sh (its private PostgreSQL, no demo content) on a spare port, then stops it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

port=5097
idle=30
while [[ $# -gt 0 ]]; do
  case $1 in
    --port) port=$2; shift 2 ;;
    --idle) idle=$2; shift 2 ;;
    *) echo "usage: bench/rss.sh [--port N] [--idle SECONDS]" >&2; exit 2 ;;
  esac
done

export OPSPORTAL_ADMIN_EMAIL=bench@localhost OPSPORTAL_ADMIN_PASSWORD=Bench-password-1
log=$(mktemp)
./run.sh --no-demo --port "$port" >"$log" 2>&1 &
runner=$!
trap 'kill -TERM "$runner" 2>/dev/null; wait "$runner" 2>/dev/null; rm -f "$log"' EXIT

for _ in $(seq 1 180); do
  curl -fs "http://localhost:$port/health" >/dev/null 2>&1 && break
  sleep 1
done
curl -fs "http://localhost:$port/health" >/dev/null || { cat "$log"; echo "the portal did not start" >&2; exit 1; }
# run.sh starts the app from its publish folder; find it by the port it listens on.
pid=$(ss -ltnpH "sport = :$port" | sed -nE 's/.*pid=([0-9]+).*/\1/p' | head -n 1)
[[ -n $pid ]] || { echo "no process listens on $port" >&2; exit 1; }
rss() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status"; }

sleep "$idle"
idle_rss=$(rss)

token=$(curl -fs -X POST "http://localhost:$port/api/auth/tokens" -H 'content-type: application/json' \
  -d "{\"email\":\"$OPSPORTAL_ADMIN_EMAIL\",\"password\":\"$OPSPORTAL_ADMIN_PASSWORD\",\"name\":\"bench\"}" |
  sed -E 's/.*"token":"([^"]+)".*/\1/')
for _ in $(seq 1 200); do
  curl -fs "http://localhost:$port/api/me" -H "Authorization: Bearer $token" >/dev/null
  curl -fs "http://localhost:$port/" -H "Authorization: Bearer $token" >/dev/null
done
sleep 5
busy_rss=$(rss)

echo "idle after ${idle}s: ${idle_rss} MiB RSS"
echo "after 400 requests (200 API, 200 prerendered pages): ${busy_rss} MiB RSS"
