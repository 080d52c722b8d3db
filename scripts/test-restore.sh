#!/usr/bin/env bash
# The portal's own recovery, end to end (docs/backups.md, "The portal's own recovery"): a portal with a
# ticket, a wiki page and an API token is backed up by its own backup job (pg_dump), then
# `./run.sh --restore FILE` brings it up on an empty private cluster on free ports, and the HTTP API must
# serve the same ticket and page to the old token. Also: ./run.sh refuses a configured-but-missing data
# folder without --init. Needs OPSPORTAL_TEST_PG (test.sh sets it) and a Release build of the solution.
# Usage: scripts/test-restore.sh   (exit 0 = passed; everything it started is stopped and removed)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/postgres.sh
source "$ROOT/scripts/postgres.sh"

[[ -n ${OPSPORTAL_TEST_PG:-} ]] || die "scripts/test-restore.sh needs OPSPORTAL_TEST_PG (an admin connection string; test.sh sets it)."
APP_BUILD="$ROOT/OpsPortal.Web/bin/Release/net10.0"
[[ -f $APP_BUILD/OpsPortal.Web.dll ]] || die "Build the solution in Release first (dotnet build OpsPortal.sln -c Release)."

TMP=$(mktemp -d /tmp/opsportal-restore-test.XXXXXX)
chmod 755 "$TMP" # the private cluster's server runs as `postgres` when we are root
SOURCE_PID="" RESTORED_PID="" SOURCE_DB="" RESTORED_PORT="" STARTED=$SECONDS

free_port() {
  local port=$((58000 + RANDOM % 2000))
  while port_in_use "$port"; do port=$((port + 1)); done
  printf '%s\n' "$port"
}

# cs_field NAME — one field of OPSPORTAL_TEST_PG (Host, Port, Username, Password).
cs_field() { tr ';' '\n' <<<"$OPSPORTAL_TEST_PG" | sed -n "s/^$1=//Ip" | head -n 1; }

psql_admin() {
  PGPASSWORD=$(cs_field Password) "$PG_BIN/psql" --no-psqlrc --quiet --set=ON_ERROR_STOP=1 -h "$(cs_field Host)" -p "$(cs_field Port)" \
    -U "$(cs_field Username)" -d postgres "$@"
}

# json EXPR — evaluates a Python expression on the JSON read from stdin (as `j`).
json() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

stop_pid() {
  local pid=$1 waited=0
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((waited < 600)); do
    sleep 0.1
    waited=$((waited + 1))
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# shellcheck disable=SC2317 # reached through the EXIT trap
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  set +e
  stop_pid "$RESTORED_PID" # run.sh stops its app and its private cluster on TERM
  stop_pid "$SOURCE_PID"
  [[ ! -f $TMP/restored/data/postmaster.pid ]] || pg_run pg_ctl stop --pgdata="$TMP/restored/data" --mode=immediate >/dev/null 2>&1
  [[ -z $SOURCE_DB ]] || psql_admin -c "DROP DATABASE IF EXISTS \"$SOURCE_DB\" WITH (FORCE)" >/dev/null 2>&1
  # run.sh remembers every private cluster folder it used and publishes per port: forget ours.
  if [[ -f $ROOT/.opsportal-clusters ]]; then
    grep -vF "$TMP/" "$ROOT/.opsportal-clusters" >"$TMP/clusters" || true
    cat "$TMP/clusters" >"$ROOT/.opsportal-clusters"
  fi
  [[ -z $RESTORED_PORT ]] || rm -rf "$ROOT/.data/app-$RESTORED_PORT" "$ROOT/.data/build-$RESTORED_PORT.log"
  if ((status != 0)); then
    for log in "$TMP"/*.log; do
      [[ -f $log ]] || continue
      printf -- '--- %s (last 30 lines)\n' "$log" >&2
      tail -n 30 "$log" >&2
    done
  fi
  rm -rf "$TMP"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wait_health() {
  local port=$1 pid=$2 what=$3 deadline=$((SECONDS + ${4:-120}))
  until curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || die "$what exited before it served /health (its log follows)."
    ((SECONDS < deadline)) || die "$what is not healthy after ${4:-120} s."
    sleep 0.3
  done
}

pg_ensure_server
ADMIN_EMAIL=restore-test@localhost
ADMIN_PASSWORD="Restore-test-$(random_secret | head -c 16)"

# 1. The portal that is lost later: its own database on the test server, served from the build output.
SOURCE_DB="restore_src_$RANDOM$RANDOM"
psql_admin -c "CREATE DATABASE \"$SOURCE_DB\"" >/dev/null
SOURCE_PORT=$(free_port)
export OPSPORTAL_DATABASE="$OPSPORTAL_TEST_PG;Database=$SOURCE_DB"
export OPSPORTAL_ADMIN_EMAIL=$ADMIN_EMAIL OPSPORTAL_ADMIN_PASSWORD=$ADMIN_PASSWORD
export OpsPortal__Backups__Folder="$TMP/backups" OpsPortal__Backups__MinFreeMegabytes=1 OpsPortal__Demo=false
(cd "$APP_BUILD" && dotnet OpsPortal.Web.dll migrate && dotnet OpsPortal.Web.dll ensure-admin) >"$TMP/source-setup.log" 2>&1 ||
  die "Could not prepare the source portal's database (see $TMP/source-setup.log)."
(cd "$APP_BUILD" && ASPNETCORE_URLS="http://127.0.0.1:$SOURCE_PORT" exec dotnet OpsPortal.Web.dll) >"$TMP/source.log" 2>&1 &
SOURCE_PID=$!
wait_health "$SOURCE_PORT" "$SOURCE_PID" "The source portal"
API="http://127.0.0.1:$SOURCE_PORT/api"

TOKEN=$(curl -fsS -H 'Content-Type: application/json' \
  -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\",\"name\":\"before-the-loss\"}" "$API/auth/tokens" | json 'j["token"]')
AUTH=(-H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json')
curl -fsS "${AUTH[@]}" -d '{"title":"Survives the restore","priority":"P2"}' "$API/tickets" >/dev/null
curl -fsS "${AUTH[@]}" -X PUT -d '{"title":"Restore runbook","body":"Bring the portal back with ./run.sh --restore."}' \
  "$API/wiki/ops/restore-runbook" >/dev/null
TARGET=$(curl -fsS "${AUTH[@]}" "$API/backups/targets" | json '[t["id"] for t in j if t["builtIn"]][0]')
BACKUP=$(curl -fsS "${AUTH[@]}" -X POST "$API/backups/targets/$TARGET/run" | json 'j["id"]')
deadline=$((SECONDS + 60))
until [[ $(curl -fsS "${AUTH[@]}" "$API/backups/$BACKUP" | json 'j["status"]') == succeeded ]]; do
  status=$(curl -fsS "${AUTH[@]}" "$API/backups/$BACKUP" | json 'j["status"] + ": " + str(j["error"])')
  [[ $status != failed* ]] || die "The portal's backup failed: $status"
  ((SECONDS < deadline)) || die "The portal's backup did not finish within 60 s ($status)."
  sleep 0.3
done
FILE=$(curl -fsS "${AUTH[@]}" "$API/backups/$BACKUP" | json 'j["location"]')
stop_pid "$SOURCE_PID"
SOURCE_PID=""
psql_admin -c "DROP DATABASE \"$SOURCE_DB\" WITH (FORCE)" >/dev/null
SOURCE_DB=""
log "Source portal backed up to $FILE and gone ($((SECONDS - STARTED)) s)"

# 2. ./run.sh --restore onto an empty private cluster, on free ports; the old token must work.
unset OPSPORTAL_DATABASE OPSPORTAL_ADMIN_PASSWORD
RESTORED_PORT=$(free_port)
# The solution's Release build serves the API (only pages need a published folder's static files): no
# second build inside the test.
OPSPORTAL_APP_DIR=$APP_BUILD OPSPORTAL_PG_DIR="$TMP/restored" OPSPORTAL_PG_PORT=$(free_port) OPSPORTAL_PORT=$RESTORED_PORT \
  "$ROOT/run.sh" --no-demo --restore "$FILE" >"$TMP/run-restore.log" 2>&1 &
RESTORED_PID=$!
wait_health "$RESTORED_PORT" "$RESTORED_PID" "./run.sh --restore" 300
API="http://127.0.0.1:$RESTORED_PORT/api"
AUTH=(-H "Authorization: Bearer $TOKEN")
curl -fsS "${AUTH[@]}" "$API/tickets" | grep -q 'Survives the restore' || die "The restored portal does not list the ticket."
curl -fsS "${AUTH[@]}" "$API/wiki/ops/restore-runbook" | grep -q 'Restore runbook' || die "The restored portal does not serve the wiki page."
grep -q 'Restoring the portal from' "$TMP/run-restore.log" || die "./run.sh did not say it restored."
stop_pid "$RESTORED_PID"
RESTORED_PID=""
log "./run.sh --restore served the ticket and the page to the old token ($((SECONDS - STARTED)) s)"

# 3. A configured data folder that is missing: refused without --init, and nothing is created there.
set +e
OPSPORTAL_APP_DIR=$APP_BUILD OPSPORTAL_PG_DIR="$TMP/missing" OPSPORTAL_PG_PORT=$(free_port) OPSPORTAL_PORT=$(free_port) \
  "$ROOT/run.sh" --no-demo >"$TMP/run-missing.log" 2>&1
refused=$?
set -e
((refused != 0)) || die "./run.sh started over a configured but missing data folder."
grep -q 'Refusing to create a new, empty portal' "$TMP/run-missing.log" || die "./run.sh failed over a missing data folder without saying why."
[[ ! -e $TMP/missing/data/PG_VERSION ]] || die "./run.sh created a cluster in the missing data folder."
log "Portal restore test passed in $((SECONDS - STARTED)) s"
