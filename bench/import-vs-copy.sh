#!/usr/bin/env bash
# End-to-end ingestion benchmark (issue 3): `import` of N generated opsportal lines into the
# partitioned, indexed access table, timed in the same run as `psql \copy` of the same rows
# pre-parsed to CSV into the same table. Also records the import process's peak RSS and, for both, the
# CPU seconds of the client (import process / psql) and of the server's backends (issue 14.8: on 2 cores
# the client's CPU competes with the server's, so wall time alone hides where the time goes).
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

columns="ip,hostname,username,date,method,path,protocol,status,size,referrer,useragent,clienttime,backendtime,backendip,backendport,backendstatus,ssl_cipher,ssl_protocol,scheme,source_id,remote_host,raw_request,query"

# server_cpu — CPU seconds (×100) of the cluster's finished backends: the postmaster's reaped children.
server_cpu() { awk '{print $16 + $17}' "/proc/$(head -n 1 "$work/pg/data/postmaster.pid")/stat"; }
# cpu_note BEFORE — "client U s, server S s" from time.txt's first two fields and the server's CPU since BEFORE.
cpu_note() {
  sleep 1 # the postmaster reaps the finished backend asynchronously
  read -r user sys _ <"$work/time.txt"
  echo "CPU: client $(echo "$user + $sys" | bc) s, server $(echo "scale=2; ($(server_cpu) - $1) / 100" | bc) s"
}
run_import() {
  local started rss secs before
  before=$(server_cpu)
  started=$(date +%s.%N)
  /usr/bin/time -o "$work/time.txt" -f '%U %S %M' dotnet "$app" import --format opsportal --host bench "$work/access.log" >/dev/null 2>&1
  secs=$(echo "$(date +%s.%N) - $started" | bc)
  rss=$(cut -d' ' -f3 "$work/time.txt")
  echo "$secs $rss $(cpu_note "$before")"
}
run_copy() {
  local started secs before
  before=$(server_cpu)
  started=$(date +%s.%N)
  PGPASSWORD=$(pg_password "$work/pg") /usr/bin/time -o "$work/time.txt" -f '%U %S' psql -h 127.0.0.1 -p "$port" -U postgres -d opsportal \
    -v ON_ERROR_STOP=1 -qAt -c "\\copy access ($columns) FROM '$work/access.csv' WITH (FORMAT csv)"
  secs=$(echo "$(date +%s.%N) - $started" | bc)
  echo "$secs $(cpu_note "$before")"
}
reset() { psql_db -c "TRUNCATE access; CHECKPOINT;"; }

results=()
for round in 1 2; do
  log "Round $round: import"
  read -r secs rss cpu <<<"$(run_import)"
  rows=$(psql_db -c "SELECT count(*) FROM access")
  results+=("import $round: $rows rows in ${secs}s = $(echo "$rows / $secs" | bc) rows/s, peak RSS $((rss / 1024)) MiB, $cpu")
  reset
  log "Round $round: \\copy"
  read -r secs cpu <<<"$(run_copy)"
  rows=$(psql_db -c "SELECT count(*) FROM access")
  results+=("copy   $round: $rows rows in ${secs}s = $(echo "$rows / $secs" | bc) rows/s, $cpu")
  reset
done
printf '%s\n' "${results[@]}"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
