#!/usr/bin/env bash
# End-to-end ingestion benchmark (issue 3): `import` of N generated opsportal lines into the
# partitioned, indexed access table, timed in the same run as `psql \copy` of the same rows
# pre-parsed to CSV into the same table. Also records the import process's peak RSS.
#   [BENCH_PG_PORT=N] bench/import-vs-copy.sh [LINES]        (default 5000000; the port of its throwaway cluster, random by default)
# Uses a throwaway PostgreSQL cluster with normal durability settings; needs ~5 GB of disk.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=../scripts/common.sh
source scripts/common.sh
# shellcheck source=../scripts/postgres.sh
source scripts/postgres.sh

lines=${1:-5000000}
command -v bc >/dev/null || apt_install bc
[[ -x /usr/bin/time ]] || apt_install time
work=$(mktemp -d /tmp/opsportal-bench.XXXXXX)
chmod 755 "$work"
trap 'pg_cluster_stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

log "Building (Release)"
dotnet build -c Release -nologo -v q OpsPortal.Web >/dev/null
dotnet build -c Release -nologo -v q bench/OpsPortal.Bench >/dev/null
app=OpsPortal.Web/bin/Release/net10.0/OpsPortal.Web.dll

log "Generating $lines lines and the same rows as CSV"
dotnet bench/OpsPortal.Bench/bin/Release/net10.0/OpsPortal.Bench.dll gen "$lines" "$work/access.log" "$work/access.csv"

log "Starting PostgreSQL"
pg_ensure_server
port=${BENCH_PG_PORT:-$(( 56000 + RANDOM % 1000 ))}
pg_cluster_init "$work/pg"
pg_cluster_start "$work/pg" "$port"
pg_create_database "$work/pg" opsportal
export OPSPORTAL_DATABASE
OPSPORTAL_DATABASE="$(pg_connection_string "$work/pg");Database=opsportal"
dotnet "$app" migrate >/dev/null

columns="ip,hostname,username,date,method,path,protocol,status,size,referrer,useragent,clienttime,backendtime,backendip,backendport,backendstatus,ssl_cipher,ssl_protocol,scheme,source_id,remote_host,raw_request"
psql_db() { PGPASSWORD=$(pg_password "$work/pg") psql -h 127.0.0.1 -p "$port" -U postgres -d opsportal -v ON_ERROR_STOP=1 -qAt "$@"; }

run_import() {
  local started rss
  started=$(date +%s.%N)
  /usr/bin/time -o "$work/time.txt" -f '%M' dotnet "$app" import --format opsportal --host bench "$work/access.log" >/dev/null 2>&1
  rss=$(tail -n 1 "$work/time.txt")
  echo "$(echo "$(date +%s.%N) - $started" | bc) $rss"
}
run_copy() {
  local started
  started=$(date +%s.%N)
  psql_db -c "\\copy access ($columns) FROM '$work/access.csv' WITH (FORMAT csv)"
  echo "$(date +%s.%N) - $started" | bc
}
reset() { psql_db -c "TRUNCATE access; CHECKPOINT;"; }

results=()
for round in 1 2; do
  log "Round $round: import"
  read -r secs rss <<<"$(run_import)"
  rows=$(psql_db -c "SELECT count(*) FROM access")
  results+=("import $round: $rows rows in ${secs}s = $(echo "$rows / $secs" | bc) rows/s, peak RSS $((rss / 1024)) MiB")
  reset
  log "Round $round: \\copy"
  secs=$(run_copy)
  rows=$(psql_db -c "SELECT count(*) FROM access")
  results+=("copy   $round: $rows rows in ${secs}s = $(echo "$rows / $secs" | bc) rows/s")
  reset
done
printf '%s\n' "${results[@]}"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
