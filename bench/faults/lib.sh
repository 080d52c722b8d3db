# shellcheck shell=bash
# Shared by the fault scenarios (bench/faults/*.sh): portals started with ./run.sh (its private
# PostgreSQL), a bench admin, the app's process, the cluster, and the machine's load. Source it.
set -euo pipefail

FAULTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$FAULTS_DIR/../.." && pwd)
# shellcheck source=scripts/postgres.sh
source "$ROOT/scripts/postgres.sh"
# PG_BIN for psql/pg_ctl: ./run.sh installs the server when it is missing, so look now and again in sql().
pg_find_bin || true

SCRATCH="$ROOT/.data/faults"
BENCH_EMAIL=bench@localhost
BENCH_PASSWORD=Bench-password-1
export OPSPORTAL_PG_PORT=${OPSPORTAL_PG_PORT:-55432}
declare -A RUNSH=() # port -> pid of its ./run.sh
mkdir -p "$SCRATCH"

# machine — one line for bench/RESULTS.md: CPUs, memory, load now.
machine() {
  printf '%s, %s CPUs, %s GiB; load average %s\n' "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)" "$(nproc)" \
    "$(awk '/MemTotal/ {printf "%.0f", $2/1048576}' /proc/meminfo)" "$(cut -d ' ' -f 1-3 /proc/loadavg)"
}

# node_start PORT [VAR=VALUE…] — ./run.sh --no-demo --port PORT in the background, output in SCRATCH/node-PORT.log.
node_start() {
  local port=$1
  shift
  env OPSPORTAL_ADMIN_EMAIL=$BENCH_EMAIL OPSPORTAL_ADMIN_PASSWORD=$BENCH_PASSWORD "$@" \
    "$ROOT/run.sh" --no-demo --port "$port" >"$SCRATCH/node-$port.log" 2>&1 &
  RUNSH[$port]=$!
}

# node_wait PORT — until /health answers 200 (the first build takes minutes on a loaded machine).
node_wait() {
  local port=$1 deadline=$((SECONDS + 900))
  until curl -fs -o /dev/null "http://127.0.0.1:$1/health"; do
    if ! kill -0 "${RUNSH[$port]}" 2>/dev/null; then
      tail -n 30 "$SCRATCH/node-$port.log" >&2
      die "./run.sh on port $port stopped (log above)"
    fi
    ((SECONDS < deadline)) || die "the portal on port $port did not come up in 15 minutes"
    sleep 1
  done
}

# node_stop PORT — TERM to its ./run.sh (which stops the app, and the cluster when it is the last).
node_stop() {
  local pid=${RUNSH[$1]:-}
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "RUNSH[$1]"
}

stop_all_nodes() {
  local port
  for port in "${!RUNSH[@]}"; do node_stop "$port"; done
}

# app_pid PORT — the portal process listening on PORT.
app_pid() {
  ss -ltnpH "sport = :$1" | sed -nE 's/.*pid=([0-9]+).*/\1/p' | head -n 1
}

# pg_dir — run.sh's private cluster folder (the same rule as run.sh's choose_pg_dir).
pg_dir() {
  local dir="$ROOT/.data/postgres"
  pg_reachable "$dir" || dir="/var/lib/opsportal/postgres-$(printf '%s' "$ROOT" | cksum | cut -d ' ' -f 1)"
  printf '%s\n' "$dir"
}

# sql QUERY — one value from the portal's database.
sql() {
  [[ -n $PG_BIN ]] || pg_find_bin || die "no PostgreSQL server programs found (./run.sh installs them)"
  pg_psql "$(pg_dir)" opsportal -Atc "$1"
}

# bench_token PORT — an API token of the bench admin (created on first use when another admin exists).
bench_token() {
  local port=$1 body token
  body=$(printf '{"email":"%s","password":"%s","name":"faults"}' "$BENCH_EMAIL" "$BENCH_PASSWORD")
  token=$(curl -fs -X POST "http://127.0.0.1:$port/api/auth/tokens" -H 'content-type: application/json' -d "$body" |
    sed -nE 's/.*"token":"([^"]+)".*/\1/p') || true
  if [[ -z $token ]]; then
    (cd "$ROOT/.data/app-$port" && OPSPORTAL_DATABASE=$(pg_connection_string "$(pg_dir)" opsportal) \
      OPSPORTAL_NEW_PASSWORD=$BENCH_PASSWORD dotnet OpsPortal.Web.dll add-user "$BENCH_EMAIL" Admin >/dev/null)
    token=$(curl -fs -X POST "http://127.0.0.1:$port/api/auth/tokens" -H 'content-type: application/json' -d "$body" |
      sed -nE 's/.*"token":"([^"]+)".*/\1/p')
  fi
  [[ -n $token ]] || die "could not get an API token for $BENCH_EMAIL"
  printf '%s\n' "$token"
}

# node_deps — playwright-core and friends for the .mjs clients (once).
node_deps() {
  [[ -d $FAULTS_DIR/node_modules ]] || (cd "$FAULTS_DIR" && npm ci --silent --no-audit --no-fund >/dev/null)
}

# health_status PORT — the HTTP status of /health (000 when nothing answers).
health_status() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$1/health" || true
}

now_ms() { date +%s%3N; }

# access_lines COUNT PREFIX — COUNT combined-format lines stamped now, paths PREFIX/N (N from 0),
# a realistic mix of methods, statuses and paths.
access_lines() {
  awk -v n="$1" -v prefix="$2" -v stamp="$(date -u '+%d/%b/%Y:%H:%M:%S +0000')" 'BEGIN {
    split("GET GET GET POST PUT", m, " "); split("200 200 200 200 301 404 500 503", s, " ");
    split("/api/orders /api/users /static/app.js /search /api/cart", p, " ");
    for (i = 0; i < n; i++)
      printf "10.%d.%d.%d - - [%s] \"%s %s%s/%d HTTP/1.1\" %s %d \"-\" \"faults\"\n", i % 7, i % 250, i % 199, stamp,
        m[i % 5 + 1], p[i % 5 + 1], prefix, i, s[i % 8 + 1], i % 5000
  }'
}

# post_lines PORT TOKEN FILE — POST /api/logs with the file as body; prints the HTTP status.
post_lines() {
  curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$1/api/logs?format=combined&host=faults" \
    -H "Authorization: Bearer $2" -H 'content-type: text/plain' --data-binary "@$3" || true
}

# sample_connections SECONDS FILE — the portal database's connection count once a second, in the background.
sample_connections() {
  (for _ in $(seq 1 "$1"); do sql "SELECT count(*) FROM pg_stat_activity WHERE datname = 'opsportal'" 2>/dev/null || echo 0; sleep 1; done) >"$2" &
  SAMPLER=$!
}

# add_file_source NAME PATH — a file source the portal tails (how the Sources page adds one).
add_file_source() {
  sql "INSERT INTO log_sources (name, kind, format, host_label, path, enabled, is_demo, created_at, accepted_total, rejected_total)
       VALUES ('$1', 'File', 'combined', 'faults', '$2', true, false, now(), 0, 0) RETURNING id"
}

# file_writer FILE PREFIX STOPFILE COUNTFILE [PER_TICK (5)] — appends PER_TICK numbered lines every
# 100 ms until STOPFILE exists, then writes how many it wrote to COUNTFILE. In the background.
file_writer() {
  (
    local n=0 per=${5:-5}
    while [[ ! -e $3 ]]; do
      access_lines "$per" "$2" | awk -v base="$n" '{ sub(/\/[0-9]+ HTTP/, "/" base + NR - 1 " HTTP"); print }' >>"$1"
      n=$((n + per))
      sleep 0.1
    done
    echo "$n" >"$4"
  ) &
}

# http_writer PORT TOKEN PREFIX STOPFILE COUNTFILE — posts 100 numbered lines every 500 ms until
# STOPFILE exists; a body that is not answered 200 is sent again (same lines, same Idempotency-Key)
# until it is. COUNTFILE gets "acknowledged-lines bodies retries". In the background.
http_writer() {
  (
    local n=0 bodies=0 retries=0 body key status
    body=$(mktemp "$SCRATCH/http-body.XXXXXX")
    while [[ ! -e $4 ]]; do
      access_lines 100 "$3" | awk -v base="$n" '{ sub(/\/[0-9]+ HTTP/, "/" base + NR - 1 " HTTP"); print }' >"$body"
      key="$3-$n"
      until status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -X POST \
        "http://127.0.0.1:$1/api/logs?format=combined&host=faults" -H "Authorization: Bearer $2" \
        -H "Idempotency-Key: $key" -H 'content-type: text/plain' --data-binary "@$body") && [[ $status == 200 ]]; do
        retries=$((retries + 1))
        sleep 1
      done
      n=$((n + 100))
      bodies=$((bodies + 1))
      sleep 0.5
    done
    rm -f "$body"
    echo "$n $bodies $retries" >"$5"
  ) &
}

# stored PATH_PREFIX — "rows distinct" stored in access for paths under PATH_PREFIX.
stored() {
  sql "SELECT count(*) || ' ' || count(DISTINCT path) FROM access WHERE path LIKE '%$1/%' AND date > now() - interval '1 day'"
}

# wait_stored PREFIX EXPECTED SECONDS — until EXPECTED rows arrived (or SECONDS passed).
wait_stored() {
  local deadline=$((SECONDS + $3))
  while (($(stored "$1" | cut -d ' ' -f 1) < $2)) && ((SECONDS < deadline)); do sleep 1; done
}

# slow_deploy_config DIR SECONDS — services.yaml with target faults/slow: a script printing
# "line N" 10 times a second for SECONDS, its pid and its child's pid in DIR/timeline.
slow_deploy_config() {
  mkdir -p "$1/scripts"
  cat >"$1/scripts/slow.sh" <<SCRIPT
#!/usr/bin/env bash
echo "\$OPS_DEPLOY_ID start \$(date +%s%N)" >> "$1/timeline"
for line in \$(awk '\$2 == "pids" {print \$3, \$4}' "$1/timeline"); do
  if [[ -e /proc/\$line/stat ]] && ! awk '{ exit !(\$3 == "Z") }' "/proc/\$line/stat"; then echo "\$OPS_DEPLOY_ID overlap \$line" >> "$1/timeline"; fi
done
sleep 100000 &
echo "\$OPS_DEPLOY_ID pids \$\$ \$!" >> "$1/timeline"
for i in \$(seq 1 \$((10 * $2))); do echo "line \$i"; sleep 0.1; done
kill \$! 2>/dev/null
echo "\$OPS_DEPLOY_ID end \$(date +%s%N)" >> "$1/timeline"
SCRIPT
  chmod 755 "$1/scripts/slow.sh"
  cat >"$1/services.yaml" <<YAML
scripts: scripts
services:
  faults:
    environments:
      slow:
        deploy: slow.sh
        timeout: 30m
YAML
  : >"$1/timeline"
}

# api PORT TOKEN METHOD PATH [JSON] — the response body; fails on an HTTP error.
api() {
  curl -fs -X "$3" "http://127.0.0.1:$1$4" -H "Authorization: Bearer $2" -H 'content-type: application/json' ${5:+-d "$5"}
}

# json FIELD — one top-level string or number field of the JSON on stdin.
json() {
  sed -nE "s/.*\"$1\":\"?([^\",}]*)\"?.*/\1/p" | head -n 1
}
