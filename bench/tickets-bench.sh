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
# shellcheck source=lib.sh
source bench/lib.sh

tickets=${1:-100000}
comments=${2:-500000}
runs=20
command -v curl >/dev/null || apt_install curl
bench_workdir tickets-bench
bench_build
bench_cluster

if [[ ! -f $work/loaded ]]; then
  log "Generating $tickets tickets and $comments comments"
  started=$(date +%s)
  psql_db -v tickets="$tickets" -v comments="$comments" -f bench/tickets-data.sql >/dev/null
  touch "$work/loaded"
  echo "data generated in $(( $(date +%s) - started ))s"
fi
echo "data: $(psql_db -c "SELECT count(*) || ' tickets, ' || (SELECT count(*) FROM ticket_comments) || ' comments, ' || pg_size_pretty(pg_total_relation_size('tickets') + pg_total_relation_size('ticket_comments')) FROM tickets")"

log "Starting the app"
bench_start_app
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
