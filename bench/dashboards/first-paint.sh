#!/usr/bin/env bash
# First paint of a 12-panel dashboard in Chromium (bench/RESULTS.md). Needs a running portal:
#   OPSPORTAL_URL=http://127.0.0.1:5080 OPSPORTAL_EMAIL=admin@localhost OPSPORTAL_PASSWORD=… bench/dashboards/first-paint.sh
set -euo pipefail
cd "$(dirname "$0")"
[[ -d node_modules/playwright-core ]] || npm install --no-audit --no-fund --silent
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB; $(uptime)"
node first-paint.mjs
echo "after: $(uptime)"
