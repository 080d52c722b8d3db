#!/usr/bin/env bash
# Tickets benchmark (issue 5, "Speed"): TICKETS tickets and COMMENTS comments (bench/tickets-data.sql)
# in a throwaway PostgreSQL 15 cluster (normal durability, default settings), the app started on it
# (Release, jobs off), then 20 timed API calls per query (curl %{time_total} on localhost, after one
# warm-up) and the server-side time of the same SQL with EXPLAIN ANALYZE. Prints median and p95.
#   bench/tickets-bench.sh [TICKETS] [COMMENTS]      (default 100000 500000)
# For trying changes without reloading:  BENCH_KEEP=/some/dir keeps the cluster and data there
# (first run loads, later runs with the same dir migrate the kept data and skip straight to timing).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=../scripts/common.sh
source scripts/common.sh
# shellcheck source=../scripts/postgres.sh
source scripts/postgres.sh

tickets=${1:-100000}
comments=${2:-500000}
runs=20
command -v curl >/dev/null || apt_install curl
if [[ -n ${BENCH_KEEP:-} ]]; then
  work=$BENCH_KEEP
  mkdir -p "$work"
else
  work=$(mktemp -d /tmp/opsportal-tickets-bench.XXXXXX)
fi
chmod 755 "$work"
app_pid=""
cleanup() {
  [[ -n $app_pid ]] && kill "$app_pid" 2>/dev/null || true
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
  port=$(( 56000 + RANDOM % 1000 ))
  [[ -f $work/pg/data/PG_VERSION ]] || pg_cluster_init "$work/pg"
  pg_cluster_start "$work/pg" "$port"
  pg_create_database "$work/pg" opsportal
fi
export OPSPORTAL_DATABASE
OPSPORTAL_DATABASE="$(pg_connection_string "$work/pg");Database=opsportal"
psql_db() { PGPASSWORD=$(pg_password "$work/pg") psql -h 127.0.0.1 -p "$port" -U postgres -d opsportal -v ON_ERROR_STOP=1 -qAt "$@"; }
dotnet "$app" migrate >/dev/null

if [[ ! -f $work/loaded ]]; then
  log "Generating $tickets tickets and $comments comments"
  started=$(date +%s)
  psql_db -v tickets="$tickets" -v comments="$comments" -f bench/tickets-data.sql >/dev/null
  touch "$work/loaded"
  echo "data generated in $(( $(date +%s) - started ))s"
fi
echo "data: $(psql_db -c "SELECT count(*) || ' tickets, ' || (SELECT count(*) FROM ticket_comments) || ' comments, ' || pg_size_pretty(pg_total_relation_size('tickets') + pg_total_relation_size('ticket_comments')) FROM tickets")"

log "Starting the app"
http_port=$(( 57000 + RANDOM % 1000 ))
ASPNETCORE_URLS="http://127.0.0.1:$http_port" OpsPortal__RunJobs=false ASPNETCORE_ENVIRONMENT=Production \
  dotnet "$app" >"$work/app.log" 2>&1 &
app_pid=$!
base="http://127.0.0.1:$http_port"
for _ in $(seq 1 60); do
  curl -fs -o /dev/null "$base/health" 2>/dev/null && break
  sleep 1
done
email="user7@example.com"
# A kept cluster already has the user: its password is kept beside it.
if [[ -f $work/password ]]; then
  password=$(cat "$work/password")
else
  password="bench-$(date +%s)-$RANDOM-Pw1!"
  OPSPORTAL_NEW_PASSWORD=$password dotnet "$app" add-user "$email" Viewer >"$work/user.txt" 2>&1 || { cat "$work/user.txt"; die "add-user failed"; }
  (umask 077 && printf '%s' "$password" >"$work/password")
fi
token=$(curl -fs -X POST "$base/api/auth/tokens" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\",\"name\":\"bench\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/')
[[ -n $token ]] || die "no token"

# name | API path | target ms
queries=(
  "list: active P1+P2, sort priority, page 3|/api/tickets?status=active&priority=P1,P2&sort=priority&page=3|200"
  "list: my open (assignee=@me, active), sort priority|/api/tickets?status=active&assignee=@me&sort=priority|200"
  "list: unassigned P1, sort updated|/api/tickets?status=active&priority=P1&assignee=none|200"
  "list: label db + service checkout, sort due|/api/tickets?label=db&service=checkout&sort=due|200"
  "list: everything, sort updated, page 500|/api/tickets?page=500|200"
  "list: text 'pool exhausted' + active|/api/tickets?status=active&q=pool%20exhausted|200"
  "search: 'connection pool exhausted' (common words)|/api/tickets/search?q=connection%20pool%20exhausted|200"
  "search: 'segfault' (rare, comments only)|/api/tickets/search?q=segfault|200"
  "search: 'OPS-4242' (key)|/api/tickets/search?q=OPS-4242|200"
  "search: \"connection pool exhausted\" (a phrase of common words)|/api/tickets/search?q=%22connection%20pool%20exhausted%22|200"
  "search: \"disk full\" (a phrase of two common words)|/api/tickets/search?q=%22disk%20full%22|200"
)

stats() { sort -n "$1" | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; i = int(NR * 0.95 + 0.999); printf "%.1f %.1f", m, a[i]}'; }

log "Timing ($runs runs each; load average $(cut -d' ' -f1-3 /proc/loadavg))"
results=("| query | API median ms | API p95 ms | target | met |" "|---|---:|---:|---|---|")
for entry in "${queries[@]}"; do
  IFS='|' read -r name path target <<<"$entry"
  code=$(curl -s -o "$work/resp.json" -w '%{http_code}' -H "Authorization: Bearer $token" "$base$path")
  [[ $code == 200 ]] || { cat "$work/resp.json"; die "$name: HTTP $code"; }
  : >"$work/api.txt"
  for _ in $(seq 1 "$runs"); do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "$base$path" | awk '{printf "%.3f\n", $1 * 1000}' >>"$work/api.txt"
  done
  read -r med p95 <<<"$(stats "$work/api.txt")"
  met=$(awk -v v="$p95" -v t="$target" 'BEGIN { print (v < t) ? "yes" : "NO" }')
  results+=("| $name | $med | $p95 | p95 < $target ms | $met |")
  echo "${results[-1]}"
done
echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%s\n' "${results[@]}"
