#!/usr/bin/env bash
# A year of history (issue 18 item 2 and "Speed": a 13-month hourly panel < 300 ms) and the API overhead
# budget of the metrics API (item 6: an API call adds at most 2 ms at p50 and 5 ms at p95 to its SQL).
# Fills a throwaway PostgreSQL with 13 months of hour rollups for SERIES timers (each hour: count, sum,
# min, max, a 100-bucket sketch and its p50…p99, as MetricRollupJob writes them) and 2 days of minute
# rollups; and 13 months of hourly access-log trends (all traffic, 10 hosts, 10 path groups, as
# LogRollupJob writes them) with 25 h of minute trends. Starts the app and times each panel: WARMUP
# untimed calls (default 50), then 20 calls, one curl each (time from connected to last byte); PostgreSQL logs every
# statement's duration (log_min_duration_statement = 0), and the panel's statements (on metric_* and
# access_trend/dirty tables) that finished during a call are that call's SQL, so "overhead" is the API
# time minus its own SQL time, per call (sign-in checks count as overhead). Median and
# nearest-rank p95, ms. Panels:
#   metrics: 13 months hourly fn=sum · fn=p95 (precomputed) · 13 months daily fn=p95 (24 sketches merged
#   per point) · 13 months hourly over the 11 series of a pattern, groupBy=name · 24 h by minute, fn=p95
#   log trends: 13 months hourly · 13 months daily (sketches merged) · 13 months daily split=host (with
#   and without percentiles: a dashboard panel of requests, rates or ratios asks for none; and top=3, whose
#   sketches are read for the 3 busiest hosts only) ·
#   host:NAME 13 months hourly · 24 h by minute
#   bench/metrics-history-bench.sh [SERIES]      (default 20)    BENCH_KEEP=/dir keeps the cluster;
#   BENCH_PG_PORT / BENCH_HTTP_PORT choose the ports (default: random); BENCH_PART=client runs only the last
#   table (the answers against their SQL read by a client)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib.sh
source bench/lib.sh

series=${1:-20}
runs=20
command -v curl >/dev/null || apt_install curl
command -v jq >/dev/null || apt_install jq
bench_workdir metrics-bench
bench_build bench
bench_cluster

if [[ ! -f $work/loaded ]]; then
  log "Writing 13 months of hour rollups and 2 days of minute rollups for $series timers"
  started=$(date +%s.%N)
  psql_db <<SQL
INSERT INTO metric_series (name, kind) SELECT 'bench.api.latency.' || s, 3 FROM generate_series(1, $series) s;
SELECT count(rollup_ensure_partition('metric_rollup_hour', d))
FROM generate_series(date_trunc('month', now() AT TIME ZONE 'UTC') - interval '13 months', now() AT TIME ZONE 'UTC' + interval '1 month', interval '1 month') d;
SELECT count(rollup_ensure_partition('metric_rollup_minute', d))
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
-- Access-log trends: all traffic ('' ''), 10 hosts and 10 path groups, every hour for 13 months; the
-- same latency sketch; requests 1,000–3,000 an hour per key, 1 % 5xx.
CREATE TEMP TABLE trend_keys AS
SELECT '' AS dim, '' AS key UNION ALL SELECT 'host', 'host' || h || '.example.com' FROM generate_series(1, 10) h
UNION ALL SELECT 'path', '/api/p' || p FROM generate_series(1, 10) p;
SELECT count(rollup_ensure_partition('access_trend_hour', d))
FROM generate_series(date_trunc('month', now() AT TIME ZONE 'UTC') - interval '13 months', now() AT TIME ZONE 'UTC' + interval '1 month', interval '1 month') d;
SELECT count(rollup_ensure_partition('access_trend_minute', d))
FROM generate_series(date_trunc('day', now() AT TIME ZONE 'UTC') - interval '2 days', now() AT TIME ZONE 'UTC', interval '1 day') d;
INSERT INTO access_trend_hour (at, dim, key, requests, status_2xx, status_3xx, status_4xx, status_5xx, status_other,
                               timed, time_sum, time_min, time_max, sketch_keys, sketch_counts, p50, p90, p95, p99)
SELECT h, k.dim, k.key, r.n, r.n - r.n / 10, r.n / 20, r.n / 20 - r.n / 100, r.n / 100, 0,
       c.total, c.total * 0.06, metric_sketch_value(1170), metric_sketch_value(1269), shape.keys, shape.counts, q[1], q[2], q[3], q[4]
FROM trend_keys k, shape,
     generate_series(date_trunc('hour', now() AT TIME ZONE 'UTC') - interval '13 months', date_trunc('hour', now() AT TIME ZONE 'UTC') - interval '1 hour', interval '1 hour') h,
     LATERAL (SELECT 1000 + (extract(epoch FROM h)::bigint / 3600 * 7919 + length(k.key) * 104729) % 2000 AS n) r,
     LATERAL (SELECT sum(x) AS total FROM unnest(shape.counts) x) c,
     LATERAL (SELECT metric_sketch_quantiles(shape.keys, shape.counts, ARRAY[0.5, 0.9, 0.95, 0.99]) AS q) qs
ON CONFLICT DO NOTHING;
INSERT INTO access_trend_minute (at, dim, key, requests, status_2xx, status_3xx, status_4xx, status_5xx, status_other,
                                 timed, time_sum, time_min, time_max, sketch_keys, sketch_counts, p50, p90, p95, p99)
SELECT m, k.dim, k.key, 30, 27, 1, 1, 1, 0, c.total, c.total * 0.06, metric_sketch_value(1170), metric_sketch_value(1269),
       shape.keys, shape.counts, q[1], q[2], q[3], q[4]
FROM trend_keys k, shape,
     generate_series(date_trunc('minute', now() AT TIME ZONE 'UTC') - interval '25 hours', date_trunc('minute', now() AT TIME ZONE 'UTC') - interval '1 minute', interval '1 minute') m,
     LATERAL (SELECT sum(x) AS total FROM unnest(shape.counts) x) c,
     LATERAL (SELECT metric_sketch_quantiles(shape.keys, shape.counts, ARRAY[0.5, 0.9, 0.95, 0.99]) AS q) qs
ON CONFLICT DO NOTHING;
VACUUM ANALYZE access_trend_hour;
VACUUM ANALYZE access_trend_minute;
VACUUM ANALYZE metric_rollup_hour;
VACUUM ANALYZE metric_rollup_minute;
SQL
  echo "loaded in $(echo "$(date +%s.%N) - $started" | bc)s: $(psql_db -c "SELECT count(*) FROM metric_rollup_hour") metric hour rows, $(psql_db -c "SELECT count(*) FROM access_trend_hour") trend hour rows, $(psql_db -c "SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'metric_rollup_hour'::regclass")"
  touch "$work/loaded"
fi

log "Starting the app"
bench_start_app OpsPortal__Logs__RunIngestion=false OpsPortal__Metrics__RunRollups=false
email="bench-$RANDOM@bench.local"
password="Bench-password-$RANDOM$RANDOM"
OPSPORTAL_NEW_PASSWORD=$password dotnet "$app" add-user "$email" Viewer >/dev/null
token=$(curl -fs -X POST "$base/api/auth/tokens" -H 'content-type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\",\"name\":\"bench\"}" | jq -r .token)

now=$(date -u +%Y-%m-%dT%H:00:00Z)
year=$(date -u -d "$now -13 months +1 day" +%Y-%m-%dT00:00:00Z)
day=$(date -u -d "$now -24 hours" +%Y-%m-%dT%H:00:00Z)
# Every statement's duration goes to the server log, stamped in UTC to the millisecond.
psql_db -c "ALTER SYSTEM SET log_min_duration_statement = 0" -c "ALTER SYSTEM SET log_line_prefix = '%m '" \
  -c "ALTER SYSTEM SET log_timezone = 'UTC'" -c "SELECT pg_reload_conf()" >/dev/null
pglog=$work/pg/postgres.log
# stats LABEL URL JQ — WARMUP untimed calls (default 50: .NET runs a method unoptimised for its first ~30
# calls, so fewer would time the JIT, not the endpoint), then $runs calls (a curl each, one after another);
# prints points, API and SQL median / p95 and the per-call overhead (API − its SQL) median / p95.
stats() {
  local label=$1 url=$2 count=$3 i
  for ((i = 0; i < ${WARMUP:-50}; i++)); do
    curl -fs -o /dev/null -H "Authorization: Bearer $token" "$base$url"
  done
  sleep 0.2
  : >"$work/calls"
  local offset
  offset=$(stat -c %s "$pglog")
  for ((i = 0; i < runs; i++)); do
    printf '%s ' "$(date +%s.%N)" >>"$work/calls"
    curl -fs -o /dev/null -H "Authorization: Bearer $token" -w '%{time_connect} %{time_total}\n' "$base$url" >>"$work/calls"
  done
  sleep 0.2
  printf '%s 0 0\n' "$(date +%s.%N)" >>"$work/calls"
  local points
  points=$(curl -fs -H "Authorization: Bearer $token" "$base$url" | jq "$count")
  tail -c +"$((offset + 1))" "$pglog" | grep -a 'duration: ' >"$work/durations" || true
  python3 - "$label" "$points" "$work/calls" "$work/durations" <<'PY'
import datetime, re, sys
label, points, calls, durations = sys.argv[1:5]
rows = [list(map(float, l.split())) for l in open(calls) if l.strip()]
ends = [r[0] for r in rows]
sql = [0.0] * (len(rows) - 1)
for line in open(durations, errors="replace"):
    m = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) UTC .*duration: ([0-9.]+) ms", line)
    # Only the panel's own statements: background loops share the server, token checks are overhead.
    if not m or not re.search(r"metric_|access_trend|access_rollup_dirty|set_config", line):
        continue
    t = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc).timestamp()
    for i in range(len(sql)):
        if ends[i] <= t < ends[i + 1]:
            sql[i] += float(m.group(2))
api = [(r[2] - r[1]) * 1000 for r in rows[:-1]]
over = [a - s for a, s in zip(api, sql)]
def med(v): v = sorted(v); return v[(len(v) + 1) // 2 - 1]
def p95(v): v = sorted(v); return v[max(0, -(-len(v) * 95 // 100) - 1)]
print(f"| {label} | {points} | {med(api):.1f} | {p95(api):.1f} | {med(sql):.1f} | {p95(sql):.1f} | {med(over):.1f} | {p95(over):.1f} |")
PY
}
series_points='[.series[].points | length] | add'
trend_points='[.lines[].points | length] | add'
if [[ ${BENCH_PART:-all} != client ]]; then
  echo
  echo "load average: $(cut -d ' ' -f 1-3 /proc/loadavg); $(nproc) cores; $series series"
  echo "| panel | points | API median ms | API p95 ms | SQL median ms | SQL p95 ms | overhead median ms | overhead p95 ms |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  stats "metrics: 13 months hourly, sum" "/api/metrics/series?name=bench.api.latency.1&from=$year&to=$now&step=1h&fn=sum" "$series_points"
  stats "metrics: 13 months hourly, p95 (precomputed)" "/api/metrics/series?name=bench.api.latency.1&from=$year&to=$now&step=1h&fn=p95" "$series_points"
  stats "metrics: 13 months daily, p95 (24 sketches merged per point)" "/api/metrics/series?name=bench.api.latency.1&from=$year&to=$now&step=1d&fn=p95" "$series_points"
  stats "metrics: 13 months hourly, name=…latency.1* (11 series), groupBy=name, avg" "/api/metrics/series?name=bench.api.latency.1*&from=$year&to=$now&step=1h&fn=avg&groupBy=name" "$series_points"
  stats "metrics: 24 h by minute, p95" "/api/metrics/series?name=bench.api.latency.1&from=$day&to=$now&step=1m&fn=p95" "$series_points"
  stats "log trends: 13 months hourly, all traffic" "/api/logs/trends?from=$year&to=$now&step=1h" "$trend_points"
  stats "log trends: 13 months daily (sketches merged)" "/api/logs/trends?from=$year&to=$now&step=1d" "$trend_points"
  stats "log trends: 13 months daily, split=host (10 lines)" "/api/logs/trends?from=$year&to=$now&step=1d&split=host" "$trend_points"
  stats "log trends: 13 months daily, split=host, top=3 (the 3 busiest of 10 hosts)" "/api/logs/trends?from=$year&to=$now&step=1d&split=host&top=3" "$trend_points"
  stats "log trends: 13 months daily, split=host, percentiles=false (a requests/5xx panel)" "/api/logs/trends?from=$year&to=$now&step=1d&split=host&percentiles=false" "$trend_points"
  stats "log trends: host:NAME, 13 months hourly" "/api/logs/trends?q=host:host3.example.com&from=$year&to=$now&step=1h" "$trend_points"
  stats "log trends: 24 h by minute" "/api/logs/trends?from=$day&to=$now&step=1m" "$trend_points"
fi

# The same answers against their SQL read by a client, as bench/api-overhead.sh times the log API (the issue's
# "vs psql"): one call of each panel is made with every statement logged; the panel's statements of that call,
# their parameters written in as the literals PostgreSQL logged, become the case's SQL. The bench client then
# alternates the HTTP call and that SQL (every value of every row read with its typed getter), 200 times after
# 50 untimed rounds. The server-side figures above leave the decoding of the rows to the "overhead"; these count
# it on both sides, as psql would.
statements_of() {
  local url=$1 offset
  offset=$(stat -c %s "$pglog")
  curl -fs -o /dev/null -H "Authorization: Bearer $token" "$base$url"
  sleep 0.3
  tail -c +"$((offset + 1))" "$pglog" | python3 -c '
import re, sys
log = sys.stdin.buffer.read().decode("utf8", "replace")
entries = re.split(r"\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC )", log)
out = []
for i, e in enumerate(entries):
    m = re.search(r"execute <unnamed>: (.*)", e, re.S)
    if not m or not re.search(r"metric_|access_trend|access_rollup_dirty", m.group(1)):
        continue
    sql = m.group(1).strip()
    detail = entries[i + 1] if i + 1 < len(entries) else ""
    params = dict(re.findall(r"\$(\d+) = (\x27(?:[^\x27]|\x27\x27)*\x27|NULL)", detail)) if "DETAIL:  parameters:" in detail else {}
    for n in sorted(params, key=int, reverse=True):
        sql = sql.replace("$" + n, params[n])
    out.append(" ".join(sql.split()))
print("; ".join(out))'
}
: >"$work/client-cases.txt"
client_case() {
  local sql
  sql=$(statements_of "$2")
  [[ -n $sql ]] || die "$1: no statement logged"
  printf '%s|%s|%s|series\n' "$1" "$2" "$sql" >>"$work/client-cases.txt"
}
client_case "metrics: 13 months hourly, sum" "/api/metrics/series?name=bench.api.latency.1&from=$year&to=$now&step=1h&fn=sum"
client_case "metrics: 13 months hourly, p95 (precomputed)" "/api/metrics/series?name=bench.api.latency.1&from=$year&to=$now&step=1h&fn=p95"
client_case "metrics: 24 h by minute, p95" "/api/metrics/series?name=bench.api.latency.1&from=$day&to=$now&step=1m&fn=p95"
client_case "log trends: 13 months hourly, all traffic" "/api/logs/trends?from=$year&to=$now&step=1h"
client_case "log trends: host:NAME, 13 months hourly" "/api/logs/trends?q=host:host3.example.com&from=$year&to=$now&step=1h"
client_case "log trends: 24 h by minute" "/api/logs/trends?from=$day&to=$now&step=1m"
psql_db -c "ALTER SYSTEM RESET log_min_duration_statement" -c "SELECT pg_reload_conf()" >/dev/null
echo
echo "Against the same SQL read by a client (ms; 200 alternated rounds after 50 untimed; load average $(cut -d ' ' -f 1-3 /proc/loadavg)):"
dotnet bench/OpsPortal.Bench/bin/Release/net10.0/OpsPortal.Bench.dll api-overhead "$base" "$token" \
  "$OPSPORTAL_DATABASE;Pooling=false" "$work/client-cases.txt" 200 "$app_pid" 50
