#!/usr/bin/env bash
# PostgreSQL stopped for SECONDS (30) under mixed load, then started again, on one ./run.sh portal:
# a tailed file (50 lines/s), HTTP ingestion (200 lines/s, retried until acknowledged), 10 API
# clients, a deploy running through it, and a Hangfire job enqueued afterwards. Prints: whether the
# same process survived, /health during and after, lines lost/duplicated per path, the deploy's
# output, the job, and the API clients' answers.
#   bench/faults/pg-outage.sh [SECONDS (30)]      PORT=6130 by default
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
outage=${1:-30}
port=${PORT:-6130}
run="outage-$(date +%s)"
work="$SCRATCH/$run"
mkdir -p "$work"
chmod 755 "$SCRATCH" "$work"
finish() {
  touch "$work/stop"
  sleep 1
  stop_all_nodes
}
trap finish EXIT

slow_deploy_config "$work/deploy" $((outage + 60))
node_start "$port" OpsPortal__Deploys__ConfigPath="$work/deploy/services.yaml" OpsPortal__Logs__SourceReloadInterval=00:00:01 \
  OpsPortal__Logs__AllowedPaths="$SCRATCH"
node_wait "$port"
token=$(bench_token "$port")
pid=$(app_pid "$port")
echo "machine: $(machine)"

: >"$work/access.log"
add_file_source "$run" "$work/access.log" >/dev/null
file_writer "$work/access.log" "/$run/file" "$work/stop" "$work/file.count"
http_writer "$port" "$token" "/$run/http" "$work/stop" "$work/http.count"
node "$FAULTS_DIR/load.mjs" --url "http://127.0.0.1:$port" --token "$token" --clients 10 --seconds $((outage + 70)) \
  --json "$work/api.json" >"$work/api.txt" &
load=$!
deploy=$(api "$port" "$token" POST /api/deploys '{"service":"faults","environment":"slow","version":"1.0"}' | json id)
sleep 10

pgdir=$(pg_dir)
pg_find_bin
echo "stopping PostgreSQL for ${outage}s (pg_ctl stop -m fast)"
pg_run pg_ctl stop --pgdata="$pgdir/data" --mode=fast --wait >/dev/null
down_at=$(now_ms)
(while [[ ! -e $work/up ]]; do echo "$(now_ms) $(health_status "$port")"; sleep 0.5; done) >"$work/health-down.txt" &
sleep "$outage"
touch "$work/up"
pg_cluster_start "$pgdir" "$OPSPORTAL_PG_PORT"
up_at=$(now_ms)
until [[ $(health_status "$port") == 200 ]]; do
  (($(now_ms) - up_at < 120000)) || break
  sleep 0.1
done
healthy_at=$(now_ms)
job=$(cd "$ROOT/.data/app-$port" && OPSPORTAL_DATABASE=$(pg_connection_string "$pgdir" opsportal) \
  dotnet OpsPortal.Web.dll trigger-job auth:purge-revoked-tokens 2>/dev/null | sed -nE 's/.*Enqueued job (\S+).*/\1/p')
job_at=$(now_ms)

sleep 20
touch "$work/stop"
wait "$load" || true
for _ in $(seq 1 120); do [[ -s $work/http.count && -s $work/file.count ]] && break; sleep 1; done
read -r http_lines http_bodies http_retries <"$work/http.count"
file_lines=$(<"$work/file.count")
wait_stored "/$run/file" "$file_lines" 120
wait_stored "/$run/http" "$http_lines" 120
sleep 3
read -r file_rows file_distinct <<<"$(stored "/$run/file")"
read -r http_rows http_distinct <<<"$(stored "/$run/http")"
job_state=""
for _ in $(seq 1 120); do
  job_state=$(sql "SELECT statename FROM hangfire.job WHERE id = ${job:-0}")
  [[ $job_state == Succeeded ]] && break
  sleep 1
done
job_done_at=$(now_ms)
for _ in $(seq 1 300); do
  status=$(api "$port" "$token" GET "/api/deploys/$deploy?limit=1" | json status)
  [[ $status == queued || $status == running ]] || break
  sleep 1
done
deploy_lines=$(sql "SELECT count(*) || ' ' || count(DISTINCT text) || ' ' || coalesce(max(seq), 0) FROM deploy_output WHERE deploy_id = $deploy AND text LIKE 'line %'")

echo
echo "PostgreSQL stopped ${outage}s under mixed load ($(cut -d ' ' -f 1-3 /proc/loadavg) load average after)"
echo "  portal process: $([[ $(app_pid "$port") == "$pid" ]] && echo "the same process (pid $pid) served throughout" || echo "RESTARTED (pid $pid → $(app_pid "$port"))")"
echo "  /health while down: $(awk '{print $2}' "$work/health-down.txt" | sort | uniq -c | awk '{printf "%s×%s ", $1, $2}')"
echo "  /health 200 $(((healthy_at - up_at)))ms after PostgreSQL accepted connections again"
echo "  file tail: $file_lines lines written, $file_rows stored, $file_distinct distinct → lost $((file_lines - file_distinct)), duplicated $((file_rows - file_distinct))"
echo "  HTTP ingestion: $http_lines lines acknowledged in $http_bodies bodies ($http_retries retries), $http_rows stored, $http_distinct distinct → lost $((http_lines - http_distinct)), duplicated $((http_rows - http_distinct))"
read -r dl dd dmax <<<"$deploy_lines"
echo "  deploy #$deploy: $status; output lines $dl stored, $dd distinct of $(((outage + 60) * 10)) printed"
echo "  Hangfire job enqueued $(((job_at - up_at) / 1000))s after PostgreSQL's return: ${job_state:-not found} after $(((job_done_at - job_at) / 1000))s"
echo "  API clients (10) through the outage:"
sed 's/^/  /' "$work/api.txt"
