#!/usr/bin/env bash
# Alerts benchmark (issue 16, "Speed"): ROWS generated access rows over the last 7 days (rolled up as the
# app does), then
#   1. 500 rules due at once (a mix of ratio, count, rate, p95, grouped and filtered rules over 5-minute
#      windows): the time one evaluator node takes for the round (3 rounds);
#   2. the backtest of a 7-day rule (POST /api/alerts/rules/preview, days=7): an unfiltered 5xx ratio, a
#      host-filtered ratio and a host p95 of backend time (all from the minute trends), 5 timed calls each with
#      everything rolled up and 5 with the newest minute waiting for the rollup (as under live traffic).
# Any API call that fails stops the script with its status and body; so does a rule whose round failed.
#   bench/alerts-bench.sh [ROWS]      (default 10000000; needs ~4 GB of disk)
# BENCH_KEEP=/some/dir keeps the cluster and data for later runs; BENCH_PG_PORT / BENCH_HTTP_PORT choose the ports
# (default: random).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib.sh
source bench/lib.sh

rows=${1:-10000000}
command -v bc >/dev/null || apt_install bc
command -v curl >/dev/null || apt_install curl
bench_workdir alerts-bench
bench_build bench
bench_cluster
export OPSPORTAL_ADMIN_PASSWORD=Bench-password-1 OPSPORTAL_ADMIN_EMAIL=bench@localhost
dotnet "$app" ensure-admin >/dev/null

columns="ip,hostname,username,date,method,path,protocol,status,size,referrer,useragent,clienttime,backendtime,backendip,backendport,backendstatus,ssl_cipher,ssl_protocol,scheme,source_id,remote_host,raw_request,query"
if [[ ! -f $work/loaded ]]; then
  log "Generating and loading $rows rows over the last 7 days"
  dotnet bench/OpsPortal.Bench/bin/Release/net10.0/OpsPortal.Bench.dll gen-csv "$rows" "$work/access.csv" 7
  psql_db -c "SELECT count(access_ensure_partition(d::date)) FROM generate_series(current_date - 8, current_date + 1, interval '1 day') d" >/dev/null
  psql_db -c "\\copy access ($columns) FROM '$work/access.csv' WITH (FORMAT csv)"
  rm -f "$work/access.csv"
  psql_db -c "VACUUM ANALYZE access"
  # \copy bypasses AccessWriter: mark the minutes for the rollup job as the writer would.
  psql_db -c "INSERT INTO access_rollup_dirty (minute) SELECT DISTINCT date_trunc('minute', date) FROM access"
  touch "$work/loaded"
fi

log "Starting the app (evaluator on, Parallelism ${BENCH_PARALLELISM:-4})"
bench_start_app OpsPortal__Alerts__Parallelism="${BENCH_PARALLELISM:-4}"
log "Waiting for the rollup job to finish the loaded minutes"
until [[ $(psql_db -c "SELECT count(*) FROM access_rollup_dirty WHERE minute < date_trunc('minute', now() AT TIME ZONE 'UTC') - interval '1 hour'") == 0 ]]; do sleep 5; done

token=$(curl -sS -X POST "$base/api/auth/tokens" -H 'content-type: application/json' \
  -d "{\"email\":\"$OPSPORTAL_ADMIN_EMAIL\",\"password\":\"$OPSPORTAL_ADMIN_PASSWORD\",\"name\":\"bench\"}" | sed 's/.*"token":"\([^"]*\)".*/\1/')
[[ -n $token && $token != *'{'* ]] || die "No API token for $OPSPORTAL_ADMIN_EMAIL (log: $work/app.log)."
# api CURL-ARGS… — the response body on stdout; any status but 2xx stops the script with the status and the body
# (a bare curl -f exits 22 and says nothing, which once hid a bad request for a whole run).
# api_time CURL-ARGS… — the same call, timed: prints time_total.
api_call() {
  local out status
  out=$(mktemp)
  status=$(curl -sS -o "$out" -w "%{http_code} $1" -H "Authorization: Bearer $token" -H 'content-type: application/json' "${@:2}") \
    || { rm -f "$out"; die "curl failed ($*)"; }
  if [[ ${status%% *} != 2?? ]]; then
    printf 'HTTP %s from: curl %s\n%s\n' "${status%% *}" "${*:2}" "$(cat "$out")" >&2
    rm -f "$out"
    die "The API refused a bench call (above)."
  fi
  if [[ $1 == body ]]; then cat "$out"; else echo "${status#* }"; fi
  rm -f "$out"
}
api() { api_call body "$@"; }
api_time() { api_call '%{time_total}' "$@"; }
api -X PUT "$base/api/services/bench" -d '{"description":"bench","owners":["team:bench"],"tier":2}' >/dev/null
# The rules' 5-minute windows must hold rows: the generated data ends when it was generated (loading takes a
# while, and BENCH_KEEP reuses it later), so copy its newest 15 minutes to end now, as live traffic would.
shift_expr="date + (SELECT now() AT TIME ZONE 'UTC' - max(date) FROM access)"
shifted=${columns/date/$shift_expr}
psql_db -c "INSERT INTO access ($columns) SELECT $shifted FROM access
            WHERE date > (SELECT max(date) - interval '15 minutes' FROM access) AND (SELECT max(date) FROM access) < now() AT TIME ZONE 'UTC' - interval '1 minute'"
psql_db -c "INSERT INTO access_rollup_dirty (minute) SELECT DISTINCT date_trunc('minute', date) FROM access WHERE date > now() AT TIME ZONE 'UTC' - interval '20 minutes'"
log "Rows in the last 5 minutes: $(psql_db -c "SELECT count(*) FROM access WHERE date > now() AT TIME ZONE 'UTC' - interval '5 minutes'")"

# The hosts of the rules and backtests: those in the (just shifted) newest rows. Chosen before the shift, a kept
# data set older than an hour gave none, and the host rules asked about "host:" (HTTP 400).
hosts=$(psql_db -c "SELECT string_agg(hostname, ' ' ORDER BY hostname) FROM (SELECT DISTINCT hostname FROM access
                    WHERE date > now() AT TIME ZONE 'UTC' - interval '15 minutes' AND hostname <> '' LIMIT 20) h")
[[ -n $hosts ]] || die "No host in the newest 15 minutes of access: nothing to build the host rules on."
log "Hosts: $hosts"
if [[ $(psql_db -c "SELECT count(*) FROM alert_rules") -lt 500 ]]; then
  log "Creating 500 rules"
  read -r -a hs <<<"$hosts"
  for i in $(seq 0 499); do
    h=${hs[$((i % ${#hs[@]}))]}
    case $((i % 5)) in
      0) spec="{\"query\":\"status:5xx\",\"measure\":\"Ratio\",\"windowSeconds\":300,\"warning\":2,\"critical\":5}" ;;
      1) spec="{\"query\":\"status:5xx\",\"measure\":\"Ratio\",\"denominator\":\"host:$h\",\"windowSeconds\":300,\"critical\":5}" ;;
      2) spec="{\"query\":\"host:$h status:404\",\"measure\":\"Rate\",\"windowSeconds\":300,\"critical\":100}" ;;
      3) spec="{\"query\":\"host:$h\",\"measure\":\"Percentile\",\"field\":\"backendtime\",\"percentile\":95,\"windowSeconds\":300,\"critical\":2}" ;;
      4) spec="{\"query\":\"status:5xx\",\"measure\":\"Count\",\"groupBy\":\"host\",\"windowSeconds\":300,\"critical\":50}" ;;
    esac
    api -X POST "$base/api/alerts/rules" -d "{\"name\":\"bench $i\",\"service\":\"bench\",\"kind\":\"Threshold\",\"intervalSeconds\":3600,\"spec\":$spec}" >/dev/null
  done
fi

log "Rounds of 500 rules (all due at once; one node)"
for round in 1 2 3; do
  # The round starts when this UPDATE commits; no rule can be claimed before, so last_run_at >= t0.
  t0=$(psql_db -c "WITH u AS (UPDATE alert_rules SET next_run_at = now(), lease_owner = NULL, lease_until = NULL RETURNING 1)
                   SELECT extract(epoch FROM now()) FROM u LIMIT 1")
  start=$(psql_db -c "SELECT count(*) FROM alert_rules")
  until [[ $(psql_db -c "SELECT count(*) FROM alert_rules WHERE last_run_at < to_timestamp($t0) OR last_run_at IS NULL") == 0 ]]; do sleep 0.2; done
  # Wall clock: from the UPDATE's commit until every round was seen committed (polled every 0.2 s, so an upper bound).
  seen=$(psql_db -c "SELECT round(extract(epoch FROM clock_timestamp()) - $t0, 2)")
  psql_db -c "SELECT 'round $round: ' || $start || ' rules in ' || round(extract(epoch FROM max(last_run_at + last_run_ms * interval '1 millisecond')) - $t0, 2) || ' s (last evaluation done), all committed within $seen s (slowest rule ' || round(max(last_run_ms)) || ' ms, median ' || round(percentile_cont(0.5) WITHIN GROUP (ORDER BY last_run_ms)) || ' ms)' FROM alert_rules"
  failed=$(psql_db -c "SELECT count(*) || ' rules, e.g. ' || min(name) || ': ' || min(last_error) FROM alert_rules WHERE last_error IS NOT NULL HAVING count(*) > 0")
  [[ -z $failed ]] || die "round $round: rules whose evaluation failed (UNKNOWN): $failed"
done

log "Backtest of 7-day rules"
h=${hosts%% *}
for spec in "{\"query\":\"status:5xx\",\"measure\":\"Ratio\",\"windowSeconds\":300,\"critical\":5}" \
            "{\"query\":\"status:5xx\",\"measure\":\"Ratio\",\"denominator\":\"host:$h\",\"windowSeconds\":300,\"critical\":5}" \
            "{\"query\":\"host:$h\",\"measure\":\"Percentile\",\"field\":\"backendtime\",\"percentile\":95,\"windowSeconds\":300,\"critical\":2}"; do
  body="{\"days\":7,\"rule\":{\"kind\":\"Threshold\",\"intervalSeconds\":60,\"spec\":$spec}}"
  source=$(api -X POST "$base/api/alerts/rules/preview" -d "$body" | sed -n 's/.*"source":"\([a-z]*\)".*/\1/p')
  [[ -n $source ]] || die "The backtest answered without a source: $spec"
  times=$(for _ in 1 2 3 4 5; do api_time -X POST "$base/api/alerts/rules/preview" -d "$body"; done | sort -n | tr '\n' ' ')
  echo "backtest 7 d ($source, all rolled up) $spec: $times s (sorted)"
  # Live traffic always leaves the newest minute waiting for the rollup (every 10 s): the backtest reads it from
  # access. Mark it so before each call, as ingestion would (the rollup job may rarely clear it first).
  times=$(for _ in 1 2 3 4 5; do
            psql_db -c "INSERT INTO access_rollup_dirty (minute) SELECT date_trunc('minute', max(date)) FROM access" >/dev/null
            api_time -X POST "$base/api/alerts/rules/preview" -d "$body"
          done | sort -n | tr '\n' ' ')
  echo "backtest 7 d ($source, newest minute not rolled up) $spec: $times s (sorted)"
done
echo "load average: $(cut -d ' ' -f 1-3 /proc/loadavg); rows: $(psql_db -c 'SELECT count(*) FROM access')"
