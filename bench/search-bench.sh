#!/usr/bin/env bash
# Log search benchmark (issue 4, "Speed"): ROWS generated access rows over the last 7 days in a
# throwaway PostgreSQL 15 cluster (normal durability, default settings), then for each query 20 timed
# API calls (curl %{time_total} on one kept-alive connection, after one warm-up call) and 20 timed runs of the hand-written SQL
# (psql \timing in one session — client-side round trip including result transfer, after one
# warm-up run). Prints median and p95 of each and the API/SQL ratio of the medians.
#   bench/search-bench.sh [ROWS]            (default 10000000; needs ~10 GB of disk)
# For trying indexes without reloading:  BENCH_KEEP=/some/dir keeps the cluster and data there
# (first run loads, later runs with the same dir skip straight to the timed part).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib.sh
source bench/lib.sh

rows=${1:-10000000}
runs=20
command -v bc >/dev/null || apt_install bc
command -v curl >/dev/null || apt_install curl
bench_workdir search-bench
bench_build bench
bench_cluster

columns="ip,hostname,username,date,method,path,protocol,status,size,referrer,useragent,clienttime,backendtime,backendip,backendport,backendstatus,ssl_cipher,ssl_protocol,scheme,source_id,remote_host,raw_request,query"
if [[ ! -f $work/loaded ]]; then
  log "Generating $rows rows over the last 7 days"
  dotnet bench/OpsPortal.Bench/bin/Release/net10.0/OpsPortal.Bench.dll gen-csv "$rows" "$work/access.csv" 7
  # Every day of the range needs its partition before COPY (one stray row aborts the batch).
  psql_db -c "SELECT count(access_ensure_partition(d::date)) FROM generate_series(current_date - 8, current_date + 1, interval '1 day') d" >/dev/null
  log "Loading with \\copy"
  started=$(date +%s.%N)
  psql_db -c "\\copy access ($columns) FROM '$work/access.csv' WITH (FORMAT csv)"
  secs=$(echo "$(date +%s.%N) - $started" | bc)
  echo "copy: $rows rows in ${secs}s = $(echo "$rows / $secs" | bc) rows/s" | tee "$work/copy.txt"
  rm -f "$work/access.csv"
  log "VACUUM ANALYZE"
  psql_db -c "VACUUM ANALYZE access"
  touch "$work/loaded"
fi
# \copy bypasses AccessWriter, which marks the minutes it writes for the rollup job: mark them here
# (once), as the LogRollups migration does for rows that predate it. The app rolls them up on start.
if [[ ! -f $work/marked ]]; then
  psql_db -c "INSERT INTO access_rollup_dirty (minute) SELECT DISTINCT date_trunc('minute', date) FROM access
              EXCEPT SELECT minute FROM access_rollup_minute"
  touch "$work/marked"
fi
# What LogMaintenanceJob does hourly: a trigram index on path for every closed (past) day's partition,
# here in one plain (not CONCURRENT) build per day because nothing else runs yet; the job then finds
# them valid. IF NOT EXISTS: instant on a kept cluster.
log "Trigram indexes on closed partitions (as LogMaintenanceJob)"
started=$(date +%s.%N)
psql_db <<'SQL'
SELECT format('CREATE INDEX IF NOT EXISTS %I ON %I USING gin (path gin_trgm_ops, query gin_trgm_ops)', c.relname || '_path_trgm', c.relname)
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'access'::regclass AND c.relname < 'access_p' || to_char(current_date, 'YYYYMMDD') ORDER BY 1 \gexec
ANALYZE access;
SQL
echo "trigram indexes on closed partitions: $(echo "$(date +%s.%N) - $started" | bc)s"
if [[ -n ${BENCH_SQL:-} ]]; then
  log "Applying $BENCH_SQL"
  started=$(date +%s.%N)
  psql_db -f "$BENCH_SQL"
  echo "applied $BENCH_SQL in $(echo "$(date +%s.%N) - $started" | bc)s"
fi
psql_db -c "SELECT 'table ' || pg_size_pretty(sum(pg_table_size(c.oid))) || ', indexes ' || pg_size_pretty(sum(pg_indexes_size(c.oid))) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'access'::regclass"

# Loading and indexing take minutes, so the newest rows are minutes old by now, and a kept cluster's
# are hours old: the open quarter-hour, which no index covers, would be empty. Fill the gap up to now
# with the rows of the same minutes a day earlier (same time-of-day rate), marked for the rollups as
# AccessWriter marks its batches.
log "Topping up the rows to now"
day="'1 day'"
shifted=${columns/,date,/,date + interval $day,}
psql_db <<SQL
WITH gap AS (SELECT max(date) AS last, (now() AT TIME ZONE 'UTC') AS now FROM access),
added AS (
  INSERT INTO access ($columns)
  SELECT $shifted FROM access, gap
  WHERE date > gap.last - interval '1 day' AND date < gap.now - interval '1 day'
  RETURNING date)
INSERT INTO access_rollup_dirty (minute) SELECT DISTINCT date_trunc('minute', date) FROM added;
SQL
echo "newest row: $(psql_db -c "SELECT max(date) FROM access") (UTC now $(date -u +%H:%M:%S))"
log "Starting the app"
bench_start_app OpsPortal__RunJobs=true
log "Waiting for the rollup job (LogRollupService) to finish the loaded minutes"
started=$(date +%s.%N)
until [[ $(psql_db -c "SELECT count(*) FROM access_rollup_dirty WHERE minute < date_trunc('minute', now() AT TIME ZONE 'UTC')") == 0 ]]; do
  sleep 5
done
echo "rollups: $(echo "$(date +%s.%N) - $started" | bc)s; $(psql_db -c "SELECT pg_size_pretty(sum(pg_total_relation_size(c))) FROM unnest(ARRAY['access_rollup_minute','access_rollup_value','access_rollup_hour','access_rollup_path']::regclass[]) c") on disk"
# Today's closed hours and quarters get their partial trigram indexes from the app's own
# LogMaintenanceJob (PathIndexes); it runs every 15 minutes, and is triggered here so the run need not wait.
log "Running LogMaintenanceJob (partial trigram indexes on today's partition)"
started=$(date +%s.%N)
dotnet "$app" trigger-job logs:partitions-and-retention >/dev/null
segments() { psql_db -c "SELECT count(*) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid
                         WHERE x.indisvalid AND c.relname ~ ('^access_p' || to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD') || '_h')"; }
# Closed hours of today plus closed quarters of the current hour.
until [[ $(segments) -ge $(( $(date -u +%-H) + $(date -u +%-M) / 15 )) ]]; do
  sleep 2
done
echo "hour and quarter indexes on today's partition: $(segments), $(echo "$(date +%s.%N) - $started" | bc)s"
password="bench-$(date +%s)-$RANDOM-Pw1!"
email="bench$(date +%s)$RANDOM@example.com"
OPSPORTAL_NEW_PASSWORD=$password dotnet "$app" add-user "$email" Viewer >"$work/user.txt" 2>&1 || { cat "$work/user.txt"; die "add-user failed"; }
token=$(curl -fs -X POST "$base/api/auth/tokens" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\",\"name\":\"bench\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/')
[[ -n $token ]] || die "no token"

# One fixed end for every query, so API and SQL see the same rows.
now=$(date -u +%s)
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
ts() { date -u -d "@$1" '+%Y-%m-%d %H:%M:%S'; }
to=$now; h1=$((now - 3600)); d1=$((now - 86400)); d7=$((now - 7 * 86400))
cols="id, date, ip, hostname, username, method, path, protocol, status, size, referrer, useragent, clienttime, backendtime, backendip, backendport, backendstatus, ssl_cipher, ssl_protocol, scheme, source_id, remote_host, raw_request, query"
rng() { echo "date >= '$(ts "$1")' AND date < '$(ts "$to")'"; }
search_sql() { echo "SELECT $cols FROM access WHERE $(rng "$1") AND $2 ORDER BY date DESC, id DESC LIMIT 101"; }
stats_sql() { echo "SELECT $2 AS key, count(*) AS count, sum(count(*)) OVER () AS total FROM access WHERE $(rng "$1") GROUP BY 1 ORDER BY $3 LIMIT $4"; }
urlenc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# name | API path and query | SQL ('' = no API line / no SQL line) | target ms (p95 for API)
queries=(
  "status:5xx, last 1 h|/api/logs?q=$(urlenc status:5xx)&from=$(iso $h1)&to=$(iso $to)|$(search_sql $h1 'status BETWEEN 500 AND 599')|100"
  "path:/api/*, last 24 h|/api/logs?q=$(urlenc 'path:/api/*')&from=$(iso $d1)&to=$(iso $to)|$(search_sql $d1 "path ILIKE '/api/%'")|100"
  "ip:10.1.0.0/16, last 24 h|/api/logs?q=$(urlenc ip:10.1.0.0/16)&from=$(iso $d1)&to=$(iso $to)|$(search_sql $d1 "ip <<= '10.1.0.0/16'")|100"
  "bare word 'widget' (common), last 24 h|/api/logs?q=widget&from=$(iso $d1)&to=$(iso $to)|$(search_sql $d1 "(path ILIKE '%widget%' OR query ILIKE '%widget%')")|100"
  "bare word 'export' (rare, 0.1 %), last 24 h|/api/logs?q=export&from=$(iso $d1)&to=$(iso $to)|$(search_sql $d1 "(path ILIKE '%export%' OR query ILIKE '%export%')")|100"
  "stats by path, top 10, 24 h|/api/logs/stats?by=path&top=10&from=$(iso $d1)&to=$(iso $to)|$(stats_sql $d1 path 'count DESC, key' 10)|500"
  "histogram 7 d (stats by hour)|/api/logs/stats?by=hour&from=$(iso $d7)&to=$(iso $to)|$(stats_sql $d7 "date_trunc('hour', date)" key 50000)|1000"
  "histogram 7 d, the page's former query on access (3 h bars by status class; reference only, the page now reads the rollup)||SELECT date_bin('3 hours', date, '$(ts $d7)') AS bucket, count(*) FILTER (WHERE status BETWEEN 200 AND 299), count(*) FILTER (WHERE status BETWEEN 300 AND 399), count(*) FILTER (WHERE status BETWEEN 400 AND 499), count(*) FILTER (WHERE status BETWEEN 500 AND 599), count(*) FILTER (WHERE status IS NULL OR status < 200 OR status > 599) FROM access WHERE $(rng $d7) GROUP BY 1 ORDER BY 1|1000"
)

# stats FILE -> "median p95" (nearest-rank p95 of the samples, in ms)
stats() { sort -n "$1" | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; i = int(NR * 0.95 + 0.999); printf "%.1f %.1f", m, a[i]}'; }

log "Timing ($runs runs each; load average $(cut -d' ' -f1-3 /proc/loadavg))"
results=()
printf -v header '| query | API median | API p95 | SQL median | SQL p95 | API/SQL (median) | target | met |'
results+=("$header" "|---|---:|---:|---:|---:|---:|---|---|")
for entry in "${queries[@]}"; do
  IFS='|' read -r name path sql target <<<"$entry"
  api_med="–"; api_p95="–"; sql_med="–"; sql_p95="–"; ratio="–"; met="–"
  if [[ -n $path ]]; then
    code=$(curl -s -o "$work/resp.json" -w '%{http_code}' -H "Authorization: Bearer $token" "$base$path")
    [[ $code == 200 ]] || { cat "$work/resp.json"; die "$name: HTTP $code"; }
    # One curl, one kept-alive connection: a warm-up call, then the timed ones (time_total of each).
    urls=()
    for _ in $(seq 0 "$runs"); do urls+=(-o /dev/null "$base$path"); done
    curl -s -w '%{time_total}\n' -H "Authorization: Bearer $token" "${urls[@]}" |
      tail -n +2 | awk '{printf "%.3f\n", $1 * 1000}' >"$work/api.txt"
    read -r api_med api_p95 <<<"$(stats "$work/api.txt")"
  fi
  if [[ -n $sql ]]; then
    # JIT off as in the app (AccessQuery.ReadAsync): it only ever added compile time here.
    { echo '\o /dev/null'; echo 'SET jit = off;'; echo "$sql;"; echo '\timing on'; for _ in $(seq 1 "$runs"); do echo "$sql;"; done; } |
      psql_db 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' >"$work/sql.txt"
    [[ $(wc -l <"$work/sql.txt") -eq $runs ]] || die "$name: SQL timing failed"
    read -r sql_med sql_p95 <<<"$(stats "$work/sql.txt")"
  fi
  if [[ -n $path && -n $sql ]]; then
    ratio=$(echo "scale=2; $api_med / $sql_med" | bc)x
  fi
  check=${api_p95/–/$sql_p95}
  met=$(awk -v v="$check" -v t="$target" 'BEGIN { print (v < t) ? "yes" : "NO" }')
  results+=("| $name | $api_med | $api_p95 | $sql_med | $sql_p95 | $ratio | < $target ms | $met |")
  echo "${results[-1]}"
done
echo
echo "rows: $(psql_db -c 'SELECT count(*) FROM access'); $(cat "$work/copy.txt" 2>/dev/null || true)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%s\n' "${results[@]}"
