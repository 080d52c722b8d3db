#!/usr/bin/env bash
# The 24 h minute panel over 10M log rows (issue 18 "Speed": < 100 ms), through the API a dashboard uses.
#   BENCH_KEEP=/tmp/alerts-bench bench/minute-panel-bench.sh [CALLS]     (default 20 calls per panel)
# Needs a kept cluster loaded by `BENCH_KEEP=DIR bench/alerts-bench.sh 10000000` (10M rows over 7 days, rolled
# up by the app): loading takes ~20 min, so this script reuses it and refuses to run without it. Starts the
# app (loopback, jobs off; the rollup loop finishes any minute still marked), creates a team dashboard of
# log panels (requests/s, 5xx %, p95, requests/s split by host, requests/s with last week) and times
#   - GET /api/dashboards/{id}/panels/{n} over 24 h: first (the first calls after the app started: code not
#     yet tiered up by the JIT), cold (every call a range one step earlier, so the panel cache never answers:
#     the trend query runs each time; after WARMUP calls, default 40, on ranges two days earlier warmed the
#     process — a portal that has run for a while) and warm (the same range again: the cache);
#   - GET /api/logs/trends?step=1m over 24 h (1,440 points, what a minute panel reads), cold the same way.
# Each kind is one curl process on one kept-alive connection; median and nearest-rank p95 of time_total, ms.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib.sh
source bench/lib.sh

calls=${1:-20}
warmup=${WARMUP:-40}
[[ -n ${BENCH_KEEP:-} && -f $BENCH_KEEP/loaded ]] ||
  die "Needs BENCH_KEEP=DIR holding a cluster loaded by 'BENCH_KEEP=DIR bench/alerts-bench.sh 10000000'."
command -v curl >/dev/null || apt_install curl
command -v jq >/dev/null || apt_install jq
bench_workdir minute-panel
bench_build
bench_cluster
log "Starting the app"
bench_start_app
until [[ $(psql_db -c "SELECT count(*) FROM access_rollup_dirty") == 0 ]]; do sleep 2; done
export OPSPORTAL_ADMIN_PASSWORD=Bench-password-1 OPSPORTAL_ADMIN_EMAIL=bench@localhost
dotnet "$app" ensure-admin >/dev/null
token=$(curl -fs -X POST "$base/api/auth/tokens" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$OPSPORTAL_ADMIN_EMAIL\",\"password\":\"$OPSPORTAL_ADMIN_PASSWORD\",\"name\":\"bench\"}" | jq -r .token)
[[ -n $token && $token != null ]] || die "no token"
auth="Authorization: Bearer $token"
rows=$(psql_db -c "SELECT count(*) FROM access")
newest=$(psql_db -c "SELECT extract(epoch FROM date_trunc('hour', max(date)))::bigint FROM access")
dashboard=$(curl -fs "$base/api/dashboards" -H "$auth" -H 'Content-Type: application/json' -d '{
  "title": "minute-panel bench", "personal": false, "panels": [
    {"title": "Requests / s", "source": "Logs", "query": "", "measure": "rate", "display": "Line"},
    {"title": "5xx %", "source": "Logs", "query": "", "measure": "error_ratio", "display": "Line"},
    {"title": "p95 backend", "source": "Logs", "query": "", "measure": "p95", "display": "Line"},
    {"title": "Requests / s by host", "source": "Logs", "query": "", "measure": "rate", "split": "host", "display": "Line"},
    {"title": "Requests / s, last week", "source": "Logs", "query": "", "measure": "rate", "display": "Area", "compareLastWeek": true}]}' | jq -r .id)
[[ $dashboard =~ ^[0-9]+$ ]] || die "could not create the dashboard"

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
# time_urls URL… — one curl, one connection: a warm-up call to the first URL, then each URL once; prints "median p95".
time_urls() {
  local args=(-o /dev/null "$1")
  for url in "$@"; do args+=(-o /dev/null "$url"); done
  curl -fs -H "$auth" -w '%{time_total}\n' "${args[@]}" | tail -n +2 |
    awk '{print $1 * 1000}' | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; i = int(NR * 0.95 + 0.999); printf "%.1f %.1f", m, a[i]}'
}
# ranges PATH STEP [N] [BACK] — N (default CALLS) URLs over 24 h ending BACK seconds (default 0) before the newest
# hour, each one STEP seconds earlier than the last (never the same cache entry).
ranges() {
  local to
  for ((k = 0; k < ${3:-$calls}; k++)); do
    to=$((newest - ${4:-0} - k * $2))
    echo "$base$1from=$(iso $((to - 86400)))&to=$(iso "$to")"
  done
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log "Timing $calls calls per panel (load average $load_before)"
echo "| panel (24 h) | points | first median ms | first p95 ms | cold median ms | cold p95 ms | warm median ms | warm p95 ms |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for n in 0 1 2 3 4; do
  first="$base/api/dashboards/$dashboard/panels/$n?from=$(iso $((newest - 86400)))&to=$(iso "$newest")"
  body=$(curl -fs -H "$auth" "$first")
  title=$(jq -r '.data.lines[0].name' <<<"$body")
  points=$(jq '[.data.lines[].points | length] | add' <<<"$body")
  step=$(jq .data.stepSeconds <<<"$body")
  # The panel cache aligns ranges to the step: one step apart is a different entry.
  # The first CALLS of WARMUP calls on ranges two days earlier (other cache entries) time the fresh process.
  mapfile -t urls < <(ranges "/api/dashboards/$dashboard/panels/$n?" "$step" "$((warmup > calls ? warmup : calls))" 172800)
  read -r first_med first_p95 <<<"$(time_urls "${urls[@]:0:$calls}")"
  [[ $warmup -le $calls ]] || time_urls "${urls[@]:$calls}" >/dev/null
  mapfile -t urls < <(ranges "/api/dashboards/$dashboard/panels/$n?" "$step")
  read -r cold_med cold_p95 <<<"$(time_urls "${urls[@]}")"
  mapfile -t same < <(for ((k = 0; k < calls; k++)); do echo "$first"; done)
  read -r warm_med warm_p95 <<<"$(time_urls "${same[@]}")"
  echo "| $n: $title (step $step s) | $points | $first_med | $first_p95 | $cold_med | $cold_p95 | $warm_med | $warm_p95 |"
done
mapfile -t urls < <(ranges "/api/logs/trends?step=1m&" 60)
points=$(curl -fs -H "$auth" "${urls[0]}" | jq '[.. | objects | select(has("requests"))] | length')
read -r cold_med cold_p95 <<<"$(time_urls "${urls[@]}")"
echo "| /api/logs/trends step=1m (no cache) | $points | – | – | $cold_med | $cold_p95 | – | – |"
curl -fs -X DELETE "$base/api/dashboards/$dashboard?baseRevision=1" -H "$auth" >/dev/null || true
echo
echo "rows: $rows; 24 h ranges ending $(iso "$newest") and up to $calls steps earlier"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"
