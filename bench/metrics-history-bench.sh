#!/usr/bin/env bash
# A year of metric history (issue 18, "Speed": a 13-month hourly panel < 300 ms). Fills a throwaway
# PostgreSQL with 13 months of hour rollups for SERIES timers (each hour: count, sum, min, max, a
# 100-bucket sketch and its p50…p99, as MetricRollupJob writes them) and 2 days of minute rollups, starts
# the app, and times GET /api/metrics/series (curl on one kept-alive connection, 1 warm-up + 20 calls;
# median and nearest-rank p95, ms):
#   13 months hourly, fn=sum · 13 months hourly, fn=p95 (precomputed) · 13 months daily, fn=p95 (24
#   sketches merged per point) · 13 months hourly over a pattern of 10 series, groupBy=name ·
#   24 h by minute, fn=p95
#   bench/metrics-history-bench.sh [SERIES]      (default 20)    BENCH_KEEP=/dir keeps the cluster
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=../scripts/common.sh
source scripts/common.sh
# shellcheck source=../scripts/postgres.sh
source scripts/postgres.sh

series=${1:-20}
runs=20
command -v curl >/dev/null || apt_install curl
command -v jq >/dev/null || apt_install jq
if [[ -n ${BENCH_KEEP:-} ]]; then
  work=$BENCH_KEEP
  mkdir -p "$work"
else
  work=$(mktemp -d /tmp/opsportal-metrics-bench.XXXXXX)
fi
chmod 755 "$work"
app_pid=""
cleanup() {
  [[ -n $app_pid ]] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null || true
  if [[ -z ${BENCH_KEEP:-} ]]; then
    pg_cluster_stop "$work/pg" >/dev/null 2>&1 || true
    rm -rf "$work"
  fi
}
trap cleanup EXIT

log "Building (Release)"
dotnet build -c Release -nologo -v q OpsPortal.Web >/dev/null
app=$PWD/OpsPortal.Web/bin/Release/net10.0/OpsPortal.Web.dll

pg_ensure_server
if pg_cluster_running "$work/pg"; then
  port=$(pg_cluster_port "$work/pg")
else
  port=$((56000 + RANDOM % 1000))
  [[ -f $work/pg/data/PG_VERSION ]] || pg_cluster_init "$work/pg"
  pg_cluster_start "$work/pg" "$port"
  pg_create_database "$work/pg" opsportal
fi
export OPSPORTAL_DATABASE
OPSPORTAL_DATABASE="$(pg_connection_string "$work/pg");Database=opsportal"
psql_db() { PGPASSWORD=$(pg_password "$work/pg") psql -h 127.0.0.1 -p "$port" -U postgres -d opsportal -v ON_ERROR_STOP=1 -qAt "$@"; }
dotnet "$app" migrate >/dev/null

if [[ ! -f $work/loaded ]]; then
  log "Writing 13 months of hour rollups and 2 days of minute rollups for $series timers"
  started=$(date +%s.%N)
  psql_db <<SQL
INSERT INTO metric_series (name, kind) SELECT 'bench.api.latency.' || s, 3 FROM generate_series(1, $series) s;
SELECT count(metric_ensure_partition('metric_rollup_hour', d))
FROM generate_series(date_trunc('month', now() AT TIME ZONE 'UTC') - interval '13 months', now() AT TIME ZONE 'UTC' + interval '1 month', interval '1 month') d;
SELECT count(metric_ensure_partition('metric_rollup_minute', d))
FROM generate_series(date_trunc('day', now() AT TIME ZONE 'UTC') - interval '2 days', now() AT TIME ZONE 'UTC', interval '1 day') d;
-- A latency-like sketch: 100 buckets around 20–150 ms (keys 1170…1269), weights varying by hour.
CREATE TEMP TABLE shape AS
SELECT array_agg(k ORDER BY k) AS keys, array_agg((1 + (k * 7919) % 97)::float8 ORDER BY k) AS counts FROM generate_series(1170, 1269) k;
INSERT INTO metric_rollup_hour (series_id, at, count, sum, min, max, last, last_at, sketch_keys, sketch_counts, p50, p90, p95, p99)
SELECT s.id, h, c.total, c.total * 60, metric_sketch_value(1170), metric_sketch_value(1269), NULL, NULL, shape.keys, shape.counts,
       q[1], q[2], q[3], q[4]
FROM metric_series s, shape,
     generate_series(date_trunc('hour', now() AT TIME ZONE 'UTC') - interval '13 months', date_trunc('hour', now() AT TIME ZONE 'UTC') - interval '1 hour', interval '1 hour') h,
     LATERAL (SELECT sum(x) AS total FROM unnest(shape.counts) x) c,
     LATERAL (SELECT metric_sketch_quantiles(shape.keys, shape.counts, ARRAY[0.5, 0.9, 0.95, 0.99]) AS q) qs
ON CONFLICT DO NOTHING;
INSERT INTO metric_rollup_minute (series_id, at, count, sum, min, max, last, last_at, sketch_keys, sketch_counts, p50, p90, p95, p99)
SELECT s.id, m, c.total, c.total * 60, metric_sketch_value(1170), metric_sketch_value(1269), NULL, NULL, shape.keys, shape.counts,
       q[1], q[2], q[3], q[4]
FROM metric_series s, shape,
     generate_series(date_trunc('minute', now() AT TIME ZONE 'UTC') - interval '25 hours', date_trunc('minute', now() AT TIME ZONE 'UTC') - interval '1 minute', interval '1 minute') m,
     LATERAL (SELECT sum(x) AS total FROM unnest(shape.counts) x) c,
     LATERAL (SELECT metric_sketch_quantiles(shape.keys, shape.counts, ARRAY[0.5, 0.9, 0.95, 0.99]) AS q) qs
WHERE s.id <= 2
ON CONFLICT DO NOTHING;
VACUUM ANALYZE metric_rollup_hour;
VACUUM ANALYZE metric_rollup_minute;
SQL
  echo "loaded in $(echo "$(date +%s.%N) - $started" | bc)s: $(psql_db -c "SELECT count(*) FROM metric_rollup_hour") hour rows, $(psql_db -c "SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'metric_rollup_hour'::regclass")"
  touch "$work/loaded"
fi

log "Starting the app"
http_port=$((57000 + RANDOM % 1000))
ASPNETCORE_URLS="http://127.0.0.1:$http_port" OpsPortal__RunJobs=false ASPNETCORE_ENVIRONMENT=Production \
  dotnet "$app" >"$work/app.log" 2>&1 &
app_pid=$!
base="http://127.0.0.1:$http_port"
for _ in $(seq 1 120); do
  curl -fs -o /dev/null "$base/health" 2>/dev/null && break
  kill -0 "$app_pid" 2>/dev/null || { tail -n 40 "$work/app.log" >&2; die "The app stopped while starting (log above)."; }
  sleep 1
done
email="bench-$RANDOM@bench.local"
password="Bench-password-$RANDOM$RANDOM"
OPSPORTAL_NEW_PASSWORD=$password dotnet "$app" add-user "$email" Viewer >/dev/null
token=$(curl -fs -X POST "$base/api/auth/tokens" -H 'content-type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\",\"name\":\"bench\"}" | jq -r .token)

now=$(date -u +%Y-%m-%dT%H:00:00Z)
year=$(date -u -d "$now -13 months +1 day" +%Y-%m-%dT00:00:00Z)
day=$(date -u -d "$now -24 hours" +%Y-%m-%dT%H:00:00Z)
# stats LABEL URL — one warm-up call, then $runs timed calls on one connection; prints median / p95 and points.
stats() {
  local label=$1 url=$2 urls=() i
  for ((i = 0; i <= runs; i++)); do urls+=(-o /dev/null "$base$url"); done
  curl -fs -H "Authorization: Bearer $token" -w '%{time_total}\n' "${urls[@]}" | tail -n +2 |
    awk '{ print $1 * 1000 }' | sort -n >"$work/times"
  local points
  points=$(curl -fs -H "Authorization: Bearer $token" "$base$url" | jq '[.series[].points | length] | add')
  printf '| %s | %s | %s | %s |\n' "$label" "$points" "$(awk -v n=$runs 'NR == int((n + 1) / 2) { printf "%.1f", $1 }' "$work/times")" \
    "$(awk -v n=$runs 'NR == int(n * 0.95 + 0.999) { printf "%.1f", $1 }' "$work/times")"
}
echo
echo "load average: $(cut -d ' ' -f 1-3 /proc/loadavg); $(nproc) cores; $series series"
echo "| panel | points | API median ms | API p95 ms |"
echo "|---|---:|---:|---:|"
stats "13 months hourly, sum" "/api/metrics/series?name=bench.api.latency.1&from=$year&to=$now&step=1h&fn=sum"
stats "13 months hourly, p95 (precomputed)" "/api/metrics/series?name=bench.api.latency.1&from=$year&to=$now&step=1h&fn=p95"
stats "13 months daily, p95 (24 sketches merged per point)" "/api/metrics/series?name=bench.api.latency.1&from=$year&to=$now&step=1d&fn=p95"
stats "13 months hourly, 10 series, groupBy=name, avg" "/api/metrics/series?name=bench.api.latency.1*&from=$year&to=$now&step=1h&fn=avg&groupBy=name"
stats "24 h by minute, p95" "/api/metrics/series?name=bench.api.latency.1&from=$day&to=$now&step=1m&fn=p95"
