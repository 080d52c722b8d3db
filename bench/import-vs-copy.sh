#!/usr/bin/env bash
# End-to-end ingestion benchmark (issue 3): `import` of N generated opsportal lines into the
# partitioned, indexed access table, timed in the same run as `psql \copy` of the same rows
# pre-parsed to CSV into the same table. Also records the import process's peak RSS.
#   [BENCH_PG_PORT=N] bench/import-vs-copy.sh [LINES]        (default 5000000; the port of its throwaway cluster, random by default)
# Uses a throwaway PostgreSQL cluster with normal durability settings; needs ~5 GB of disk.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib.sh
source bench/lib.sh

lines=${1:-5000000}
command -v bc >/dev/null || apt_install bc
[[ -x /usr/bin/time ]] || apt_install time
bench_workdir bench
bench_build bench

log "Generating $lines lines and the same rows as CSV"
dotnet bench/OpsPortal.Bench/bin/Release/net10.0/OpsPortal.Bench.dll gen "$lines" "$work/access.log" "$work/access.csv"

log "Starting PostgreSQL"
bench_cluster

columns="ip,hostname,username,date,method,path,protocol,status,size,referrer,useragent,clienttime,backendtime,backendip,backendport,backendstatus,ssl_cipher,ssl_protocol,scheme,source_id,remote_host,raw_request"

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
