#!/usr/bin/env bash
# Runs OpsPortal on this machine: builds it, prepares its database, creates the first admin, serves.
# See usage() below, and the "Running" section of the README.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/postgres.sh
source "$ROOT/scripts/postgres.sh"

usage() {
  cat <<'EOF'
Usage: ./run.sh [--port N] [--statsd-port N] [--demo | --no-demo] [--init] [--restore FILE]

Builds OpsPortal, applies the database migrations, creates the first admin if there is none, and
serves the portal on http://localhost:5080 until Ctrl-C. If the portal exits on its own (a crash), it
is started again (after 1 s, doubling up to 30 s while it keeps failing); the database is left running.

Database: with OPSPORTAL_DATABASE (or ConnectionStrings__Ops) set, that PostgreSQL database is
used. Otherwise a private PostgreSQL cluster is created under .data/postgres (installed from the
distribution's packages if missing) and reused on later runs; it is stopped when the last ./run.sh
using it stops.

Options:
  --port N     serve on port N (default 5080, or OPSPORTAL_PORT)
  --statsd-port N
               receive StatsD metrics on UDP and TCP port N (e.g. 8125; or OPSPORTAL_STATSD_PORT)
  --demo       fill the portal with labelled demo content (default with the private database)
  --no-demo    no demo content (default with OPSPORTAL_DATABASE)
  --init       allow creating a new, empty private database where one existed before (its data
               folder is missing): without it ./run.sh refuses rather than start an empty portal
  --restore FILE
               restore the portal from one of its backups (a pg_dump -Fc file, see docs/backups.md)
               into a new, empty private database, then serve it: users, API tokens and sign-in
               keys come back with the data
  -h, --help   this text

Environment:
  OPSPORTAL_DATABASE         PostgreSQL connection string; no private cluster when set
  OPSPORTAL_PORT             HTTP port (default 5080)
  OPSPORTAL_PG_DIR           folder of the private PostgreSQL (default .data/postgres)
  OPSPORTAL_PG_PORT          port of the private PostgreSQL (default 55432)
  OPSPORTAL_APP_DIR          serve this already built app folder (holding OpsPortal.Web.dll, e.g. a
                             `dotnet publish` output) instead of building one
  OPSPORTAL_ADMIN_EMAIL      first admin's email (default admin@localhost)
  OPSPORTAL_ADMIN_PASSWORD   first admin's password (default: generated and printed once)
  OPSPORTAL_STATSD_PORT      StatsD listener, UDP and TCP on this port (e.g. 8125); off when unset
  OPSPORTAL_GRAPHITE_PORT    Graphite plaintext listener, TCP and UDP on this port (e.g. 2003); off when unset
EOF
}

HTTP_PORT=${OPSPORTAL_PORT:-5080}
DEMO=""          # true/false once decided; empty = the default for the database in use
PG_DIR=""        # the private cluster's folder, when we use one
ATTACHED=""      # set once this run has registered as a user of the private cluster
APP_PID=""
APP_DIR=""       # the published app, set by build_app
ADMIN_LINES=""   # what ensure-admin printed
INIT=""          # --init: a missing data folder may be created afresh
RESTORE=""       # --restore FILE

parse_args() {
  while (($# > 0)); do
    case $1 in
      --port)
        (($# >= 2)) || die "--port needs a number"
        HTTP_PORT=$2
        shift
        ;;
      --port=*) HTTP_PORT=${1#--port=} ;;
      --statsd-port)
        (($# >= 2)) || die "--statsd-port needs a number"
        OPSPORTAL_STATSD_PORT=$2
        shift
        ;;
      --statsd-port=*) OPSPORTAL_STATSD_PORT=${1#--statsd-port=} ;;
      --demo) DEMO=true ;;
      --no-demo) DEMO=false ;;
      --init) INIT=1 ;;
      --restore)
        (($# >= 2)) || die "--restore needs a backup file"
        RESTORE=$2
        shift
        ;;
      --restore=*) RESTORE=${1#--restore=} ;;
      -h | --help)
        usage
        exit 0
        ;;
      *)
        usage >&2
        die "Unknown argument: $1"
        ;;
    esac
    shift
  done
  if ! [[ $HTTP_PORT =~ ^[0-9]+$ ]] || ((HTTP_PORT < 1 || HTTP_PORT > 65535)); then
    die "Not a port number: $HTTP_PORT"
  fi
  local name
  for name in OPSPORTAL_STATSD_PORT OPSPORTAL_GRAPHITE_PORT; do
    if [[ -n ${!name:-} ]] && { ! [[ ${!name} =~ ^[0-9]+$ ]] || ((${!name} > 65535)); }; then
      die "$name is not a port number: ${!name}"
    fi
    # Exported for the app, which reads both names (docs/metrics.md).
    [[ -z ${!name:-} ]] || export "${name?}"
  done
}

# The private cluster lives in the checkout. As root the server runs as `postgres`, which cannot
# enter a checkout under /root: then the cluster goes to /var/lib/opsportal, one per checkout.
choose_pg_dir() {
  if [[ -n ${OPSPORTAL_PG_DIR:-} ]]; then
    PG_DIR=$OPSPORTAL_PG_DIR
    return 0
  fi
  PG_DIR="$ROOT/.data/postgres"
  if ! pg_reachable "$PG_DIR"; then
    PG_DIR="/var/lib/opsportal/postgres-$(printf '%s' "$ROOT" | cksum | cut -d ' ' -f 1)"
    log "The 'postgres' user cannot enter $ROOT, so the private database lives in $PG_DIR"
    mkdir -p "$PG_DIR"
  fi
}

# Several ./run.sh (other ports, same database) may share the private cluster. Each registers its
# pid under instances/; the one that stops last stops the cluster, if a ./run.sh started it (a
# cluster someone started by hand is left alone). Both steps hold the cluster's lock.
attach_private_cluster() {
  local port=${OPSPORTAL_PG_PORT:-55432}
  pg_ensure_server
  choose_pg_dir
  pg_lock "$PG_DIR"
  refuse_silent_fresh_cluster
  local fresh=""
  [[ -f $PG_DIR/data/PG_VERSION ]] || fresh=1
  pg_cluster_init "$PG_DIR"
  # Remembered outside the data folder: if that folder is lost, the next run knows a portal lived here.
  printf '%s\n' "$PG_DIR" >>"$CLUSTER_MARKER"
  if pg_cluster_running "$PG_DIR"; then
    log "Using the private PostgreSQL already running in $PG_DIR (port $(pg_cluster_port "$PG_DIR"))"
  else
    if port_in_use "$port"; then
      die "Port $port, for the private PostgreSQL, is in use by another program. Set OPSPORTAL_PG_PORT to a free port."
    fi
    log "Starting the private PostgreSQL in $PG_DIR (port $port)"
    pg_cluster_start "$PG_DIR" "$port"
    : >"$PG_DIR/started-by-run.sh"
  fi
  mkdir -p "$PG_DIR/instances"
  : >"$PG_DIR/instances/$$"
  ATTACHED=1
  pg_unlock

  pg_wait_ready "$PG_DIR"
  if [[ -n $RESTORE ]]; then
    [[ -n $fresh ]] || die "--restore goes into a new, empty database, but $PG_DIR holds one. Stop the portal, move $PG_DIR away, and run ./run.sh --restore again."
    restore_portal
  fi
  pg_create_database "$PG_DIR" opsportal
  OPSPORTAL_DATABASE=$(pg_connection_string "$PG_DIR" opsportal)
  export OPSPORTAL_DATABASE
}

# A portal's data folder that vanished (a lost disk, a wrong mount, a deleted folder) must not turn
# silently into a new, empty portal with a new admin: that takes --init (or --restore) on purpose.
CLUSTER_MARKER="$ROOT/.opsportal-clusters"
refuse_silent_fresh_cluster() {
  [[ ! -f $PG_DIR/data/PG_VERSION ]] || return 0
  [[ -z $INIT && -z $RESTORE ]] || return 0
  if [[ -n ${OPSPORTAL_PG_DIR:-} ]] || { [[ -f $CLUSTER_MARKER ]] && grep -Fxq "$PG_DIR" "$CLUSTER_MARKER"; }; then
    pg_unlock
    die "The portal's database folder $PG_DIR/data is missing, but it is configured (OPSPORTAL_PG_DIR) or a portal was set up there before.
Refusing to create a new, empty portal in its place. Either
  - bring the folder back (a mount? a moved disk?), or
  - restore the portal from a backup:     ./run.sh --restore /path/to/backup.dump
  - or start from nothing, on purpose:    ./run.sh --init"
  fi
}

# Restores a portal backup (pg_dump -Fc) into the new private cluster's empty opsportal database.
restore_portal() {
  [[ -f $RESTORE && -r $RESTORE ]] || die "Cannot read the backup file $RESTORE."
  log "Restoring the portal from $RESTORE"
  pg_create_database "$PG_DIR" opsportal
  local port password
  port=$(pg_cluster_port "$PG_DIR")
  password=$(pg_password "$PG_DIR")
  # The password reaches pg_restore through its environment alone, never its command line.
  PGPASSWORD=$password "$PG_BIN/pg_restore" --exit-on-error --no-owner --no-privileges \
    --host=127.0.0.1 --port="$port" --username=postgres --dbname=opsportal "$RESTORE" ||
    die "The restore failed (message above); the new database is incomplete: move $PG_DIR away before trying again."
  log "Restored; newer migrations (if any) are applied next"
}

# shellcheck disable=SC2317 # reached through cleanup, the EXIT trap
detach_private_cluster() {
  [[ -n $ATTACHED ]] || return 0
  ATTACHED=""
  pg_lock "$PG_DIR"
  rm -f "$PG_DIR/instances/$$"
  local others=() file
  for file in "$PG_DIR"/instances/*; do
    [[ -e $file ]] || continue
    # A ./run.sh that was killed outright leaves its file behind: drop those.
    if kill -0 "${file##*/}" 2>/dev/null; then others+=("${file##*/}"); else rm -f "$file"; fi
  done
  if ((${#others[@]} > 0)); then
    log "Leaving the private PostgreSQL running: ./run.sh (pid ${others[*]}) still uses it"
  elif [[ -e $PG_DIR/started-by-run.sh ]]; then
    log "Stopping the private PostgreSQL"
    pg_cluster_stop "$PG_DIR"
    rm -f "$PG_DIR/started-by-run.sh"
  else
    log "Leaving the private PostgreSQL running: it was started outside ./run.sh"
  fi
  pg_unlock
}

# Stops the app, then lets go of the database. Runs once, on any exit (Ctrl-C and TERM included).
# shellcheck disable=SC2317 # reached through the EXIT trap
cleanup() {
  local status=$?
  trap - EXIT INT TERM HUP PIPE
  # Finish the clean-up whatever happens now: a failing step or a closed output must not cut it short.
  set +e
  trap '' PIPE
  if [[ -n $APP_PID ]] && kill -0 "$APP_PID" 2>/dev/null; then
    log "Stopping OpsPortal"
    kill -TERM "$APP_PID" 2>/dev/null || true
    # ASP.NET Core finishes requests in flight; give it its 30 s shutdown window, then insist.
    local waited=0
    while kill -0 "$APP_PID" 2>/dev/null && ((waited < 35)); do
      sleep 1
      waited=$((waited + 1))
    done
    kill -KILL "$APP_PID" 2>/dev/null || true
    wait "$APP_PID" 2>/dev/null || true
  fi
  detach_private_cluster || true
  exit "$status"
}

# Publishes (a Release build plus the copy step) into .data/app-PORT. Run from a plain build output,
# an app outside the Development environment lacks the framework's and MudBlazor's static files
# (blazor.web.js, MudBlazor.min.css); the published folder has them all, as in Docker. One folder per
# port: rebuilding for a second ./run.sh never swaps files under a first one that is serving.
build_app() {
  if [[ -n ${OPSPORTAL_APP_DIR:-} ]]; then
    [[ -f $OPSPORTAL_APP_DIR/OpsPortal.Web.dll ]] || die "OPSPORTAL_APP_DIR=$OPSPORTAL_APP_DIR holds no OpsPortal.Web.dll."
    APP_DIR=$OPSPORTAL_APP_DIR
    log "Using the app built in $APP_DIR (OPSPORTAL_APP_DIR; no build)"
    return 0
  fi
  log "Building OpsPortal (Release; the first build takes a minute)"
  local build_log="$ROOT/.data/build-$HTTP_PORT.log" started=$SECONDS
  APP_DIR="$ROOT/.data/app-$HTTP_PORT"
  mkdir -p "$ROOT/.data"
  # The build's output matters only when it fails (the build is warning-free by policy). The lock
  # keeps two ./run.sh starting together from building in the same obj/ folders at once.
  if ! flock "$ROOT/.data/build.lock" \
    dotnet publish "$ROOT/OpsPortal.Web" -c Release -o "$APP_DIR" --nologo -v quiet >"$build_log" 2>&1; then
    cat "$build_log" >&2
    die "The build failed (output above, also in $build_log)."
  fi
  log "Built in $((SECONDS - started))s"
  [[ -f $APP_DIR/OpsPortal.Web.dll ]] || die "The build produced no $APP_DIR/OpsPortal.Web.dll."
}

# app COMMAND — runs a command of the published app (see OpsPortal.Web/Hosting/Commands.cs).
app() {
  (cd "$APP_DIR" && exec dotnet OpsPortal.Web.dll "$@")
}

# migrate and ensure-admin are commands of the app binary, on the same configuration it serves with.
prepare_database() {
  log "Applying database migrations"
  app migrate || die "Migrations failed (message above)."
  log "Checking for an admin"
  local out
  out=$(app ensure-admin) || {
    printf '%s\n' "$out"
    die "Could not create the first admin (message above)."
  }
  ADMIN_LINES=$out
  # Shown now as well as in the banner: a generated password exists nowhere else.
  printf '%s\n' "$ADMIN_LINES"
}

serve() {
  if port_in_use "$HTTP_PORT"; then
    die "Port $HTTP_PORT is in use (another ./run.sh?). Choose another: ./run.sh --port N"
  fi
  export ASPNETCORE_URLS="http://localhost:$HTTP_PORT"
  export OpsPortal__Demo=$DEMO
  # Where the portal writes its own backups (and new targets' by default); docs/backups.md.
  export OpsPortal__Backups__Folder=${OpsPortal__Backups__Folder:-$ROOT/.data/backups}
  log "Starting OpsPortal (demo content: $DEMO)"
  # The app is restarted whenever it exits on its own (a crash, the OOM killer): only Ctrl-C or TERM
  # to this script stops it, and only then is the private PostgreSQL stopped (cleanup, on EXIT).
  # A signal interrupts `wait` and runs the traps, so the loop below only sees exits of the app's own.
  local backoff=1 started status first=1
  while true; do
    # In the background, so this script keeps its Ctrl-C/TERM handling and stops the app itself.
    # The app's folder is its content root (appsettings.json, wwwroot); `exec` makes APP_PID the app.
    (cd "$APP_DIR" && exec dotnet OpsPortal.Web.dll) &
    APP_PID=$!
    started=$SECONDS

    until port_in_use "$HTTP_PORT"; do
      kill -0 "$APP_PID" 2>/dev/null || break
      sleep 0.3
    done
    if kill -0 "$APP_PID" 2>/dev/null; then
      if [[ -n $first ]]; then
        print_banner
        first=""
      else
        log "OpsPortal is serving again on http://localhost:$HTTP_PORT"
      fi
    fi
    status=0
    wait "$APP_PID" || status=$?
    APP_PID=""
    # One that ran a good while starts again at once; one that keeps failing backs off, up to 30 s.
    if ((SECONDS - started > 60)); then backoff=1; fi
    warn "OpsPortal exited unexpectedly (exit code $status; its last messages are above). Restarting it in ${backoff}s; Ctrl-C stops everything."
    sleep "$backoff" &
    wait $! || true
    backoff=$((backoff * 2 > 30 ? 30 : backoff * 2))
  done
}

# One line per metrics listener that is on, for the banner (nothing when both are off).
metrics_banner_line() {
  if [[ ${OPSPORTAL_STATSD_PORT:-0} != 0 ]]; then
    printf '  StatsD metrics on      udp+tcp port %s\n' "$OPSPORTAL_STATSD_PORT"
  fi
  if [[ ${OPSPORTAL_GRAPHITE_PORT:-0} != 0 ]]; then
    printf '  Graphite plaintext on  tcp+udp port %s\n' "$OPSPORTAL_GRAPHITE_PORT"
  fi
}

print_banner() {
  local credentials
  if grep -q '^Password' <<<"$ADMIN_LINES"; then
    credentials=$ADMIN_LINES
  elif grep -q '^Created' <<<"$ADMIN_LINES"; then
    credentials="$ADMIN_LINES"$'\n'"Password: the one in OPSPORTAL_ADMIN_PASSWORD"
  else
    credentials="Sign in with the admin created on the first run (its password was printed then)."
    if [[ -n $PG_DIR ]]; then
      credentials+=$'\n'"Lost it? Stop, delete $PG_DIR and run again for a fresh database."
    fi
  fi
  local nl=$'\n' metrics
  credentials="  ${credentials//$nl/$nl  }"
  metrics=$(metrics_banner_line)
  cat <<EOF

------------------------------------------------------------------------
  OpsPortal is serving on  http://localhost:$HTTP_PORT
${metrics:+$metrics$nl}$credentials
  Ctrl-C stops it.
------------------------------------------------------------------------

EOF
}

main() {
  parse_args "$@"
  require_dotnet_sdk 10
  # Checked now, to fail before any work; serve() checks again right before binding.
  if port_in_use "$HTTP_PORT"; then
    die "Port $HTTP_PORT is in use (another ./run.sh?). Choose another: ./run.sh --port N"
  fi
  trap cleanup EXIT
  # Turn signals into a normal exit, so cleanup runs exactly once through the EXIT trap.
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP  # the terminal was closed
  trap 'exit 141' PIPE # our output was closed (./script | head)

  if [[ -n ${OPSPORTAL_DATABASE:-} || -n ${ConnectionStrings__Ops:-} ]]; then
    # Name the variable, never its value: the connection string holds a password.
    local source=ConnectionStrings__Ops
    [[ -z ${OPSPORTAL_DATABASE:-} ]] || source=OPSPORTAL_DATABASE
    log "Using the database from $source (no private PostgreSQL)"
    [[ -z $RESTORE ]] || die "--restore restores into the private database; with $source set, restore with pg_restore into that database (docs/backups.md)."
    DEMO=${DEMO:-${OpsPortal__Demo:-false}}
  else
    attach_private_cluster
    DEMO=${DEMO:-${OpsPortal__Demo:-true}}
  fi

  build_app
  prepare_database
  serve
}

main "$@"
