#!/usr/bin/env bash
# The API overhead budget (issue 18 item 6): an API call adds at most 2 ms at p50 and 5 ms at p95 to its
# SQL (same rows, same run); 1,000-row pages and CSV exports serialise at >= 100k rows/s.
#   bench/api-overhead.sh [ROWS] [RUNS]      (default 200000 rows, 200 calls per case; CSV cases RUNS/20, at least 5)
#   BENCH_CASES='page|CSV' bench/api-overhead.sh   only the cases whose name matches
#   BENCH_APP=DLL bench/api-overhead.sh             the same run against another build of the app (before/after)
#   BENCH_WARMUP=N bench/api-overhead.sh            untimed calls before each JSON case (default 500: the app's JIT
#                                                   reaches optimised code after ~400 calls; 20 timed the compiler)
# A throwaway PostgreSQL cluster (normal durability) and the Release app on loopback; ROWS generated
# opsportal lines loaded with the product's own `import`; a Viewer's API token. The app runs from its own
# folder, as run.sh starts it (its appsettings.json applies). Then per case the bench client
# (bench/OpsPortal.Bench api-overhead) makes BENCH_WARMUP untimed rounds (CSV: 2) and RUNS timed rounds, each one HTTP
# call (HttpClient, one kept-alive connection, the whole body read) followed by the same SQL the endpoint
# runs (one kept Npgsql connection, JIT off as in the app, every value of every row read), so both sides
# share the load of the moment. overhead = API − SQL at p50 and at p95. The rows each side returned are
# compared; a mismatch fails the run. "app CPU ms/call" is the app process's CPU time (/proc) over the timed
# rounds per call: the cost of a call that a loaded machine does not inflate the way it inflates wall time.
# BENCH_KEEP=/dir keeps the cluster and data (a later run reuses them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib.sh
source bench/lib.sh

rows=${1:-200000}
runs=${2:-200}
command -v curl >/dev/null || apt_install curl
bench_workdir api-overhead
bench_build bench
bench_cluster

if [[ ! -f $work/loaded ]]; then
  log "Generating $rows lines and loading them with the portal's import"
  dotnet bench/OpsPortal.Bench/bin/Release/net10.0/OpsPortal.Bench.dll gen "$rows" "$work/access.log"
  dotnet "$app" import --format opsportal --host bench "$work/access.log" >/dev/null
  rm -f "$work/access.log"
  psql_db -c "VACUUM ANALYZE access"
  touch "$work/loaded"
fi
log "Starting the app ($app)"
bench_start_app
password="bench-$(date +%s)-$RANDOM-Pw1!"
email="bench$(date +%s)$RANDOM@example.com"
OPSPORTAL_NEW_PASSWORD=$password dotnet "$app" add-user "$email" Viewer >"$work/user.txt" 2>&1 || { cat "$work/user.txt"; die "add-user failed"; }
token=$(curl -fs -X POST "$base/api/auth/tokens" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\",\"name\":\"bench\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/')
[[ -n $token ]] || die "no token"

# The whole loaded range, `to` exclusive: every case reads the same, fixed rows.
read -r from_ts to_ts from_iso to_iso < <(psql_db -F ' ' -c "SELECT to_char(min(date), 'YYYY-MM-DD\"T\"HH24:MI:SS'), to_char(max(date) + interval '1 second', 'YYYY-MM-DD\"T\"HH24:MI:SS'),
  to_char(min(date), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), to_char(max(date) + interval '1 second', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM access")
total=$(psql_db -c "SELECT count(*) FROM access")
range="date >= '$from_ts' AND date < '$to_ts'"
cols="id, date, ip, hostname, username, method, path, protocol, status, size, referrer, useragent, clienttime, backendtime, backendip, backendport, backendstatus, ssl_cipher, ssl_protocol, scheme, source_id, remote_host, raw_request, query"
q="from=$from_iso&to=$to_iso"
# name|path|the endpoint's SQL (as LogRowSearch / LogStatistics build it)|json or csv
cat >"$work/cases.txt" <<CASES
1,000-row page (unfiltered)|/api/logs?$q&limit=1000|SELECT $cols FROM access WHERE $range ORDER BY date DESC, id DESC LIMIT 1001|json
100-row page (unfiltered)|/api/logs?$q&limit=100|SELECT $cols FROM access WHERE $range ORDER BY date DESC, id DESC LIMIT 101|json
1-row page|/api/logs?$q&limit=1|SELECT $cols FROM access WHERE $range ORDER BY date DESC, id DESC LIMIT 2|json
stats by host, top 10, q=method:GET (facet)|/api/logs/stats?$q&by=host&top=10&q=method:GET|SELECT hostname AS key, count(*) AS count, sum(count(*)) OVER () AS total FROM access WHERE $range AND method = 'GET' GROUP BY 1 ORDER BY count DESC, key LIMIT 10|json
stats by status, q=method:POST (facet)|/api/logs/stats?$q&by=status&q=method:POST|SELECT status AS key, count(*) AS count, sum(count(*)) OVER () AS total FROM access WHERE $range AND method = 'POST' GROUP BY 1 ORDER BY count DESC, key LIMIT 10|json
CSV export of all $total rows|/api/logs/export?$q|SELECT $cols FROM access WHERE $range ORDER BY date DESC, id DESC|csv
CASES
# BENCH_CASES=REGEX times only the cases whose name matches.
[[ -z ${BENCH_CASES:-} ]] || { grep -E "^[^|]*(${BENCH_CASES})" "$work/cases.txt" >"$work/some.txt" || die "no case matches"; mv "$work/some.txt" "$work/cases.txt"; }

log "Timing ($runs calls per case; load average $(cut -d' ' -f1-3 /proc/loadavg))"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
dotnet bench/OpsPortal.Bench/bin/Release/net10.0/OpsPortal.Bench.dll api-overhead "$base" "$token" \
  "$OPSPORTAL_DATABASE;Pooling=false" "$work/cases.txt" "$runs" "$app_pid" "${BENCH_WARMUP:-500}" | tee "$work/result.md"
echo
echo "rows: $total ($from_iso .. $to_iso); calls per case: $runs (CSV: $((runs / 20 > 5 ? runs / 20 : 5))) after ${BENCH_WARMUP:-500} untimed (CSV: 2)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)"
