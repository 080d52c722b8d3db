# shellcheck shell=bash
# Shared by the bench scripts that run the app on a throwaway PostgreSQL cluster: the work folder, the
# Release build, the cluster (reused when kept), the app on loopback, and the cleanup at exit. Source it
# from the repository's root (the scripts `cd` there first). Sets: work, app, port, psql_db, app_pid, base.
#   BENCH_KEEP=/dir      keep the cluster and data there (a later run with the same dir reuses them)
#   BENCH_PG_PORT=N      the cluster's port, BENCH_HTTP_PORT=N the app's (default: a free random port)
# shellcheck source=../scripts/common.sh
source scripts/common.sh
# shellcheck source=../scripts/postgres.sh
source scripts/postgres.sh

app_pid=""

# free_port FROM — a port in FROM…FROM+999 that nothing listens on.
free_port() {
  local p
  while p=$(($1 + RANDOM % 1000)); port_in_use "$p" || port_held "$p"; do :; done
  echo "$p"
}

# port_held PORT — true when a TCP socket uses PORT at either end: these ports lie in the kernel's range for
# outgoing connections (32768–60999), and a port an outgoing connection holds cannot be listened on either.
port_held() {
  grep -qs "$(printf ':%04X ' "$1")" /proc/net/tcp /proc/net/tcp6
}

# bench_workdir NAME — $work: BENCH_KEEP when set, else a fresh /tmp/opsportal-NAME.XXXXXX; bench_cleanup runs at exit.
bench_workdir() {
  work=${BENCH_KEEP:-$(mktemp -d "/tmp/opsportal-$1.XXXXXX")}
  mkdir -p "$work"
  chmod 755 "$work"
  trap bench_cleanup EXIT
}

# bench_cleanup — stops the app; stops and removes the cluster unless BENCH_KEEP. A script with more to
# stop defines its own cleanup that calls this, and traps that instead.
bench_cleanup() {
  if [[ -n $app_pid ]]; then
    kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null || true
  fi
  if [[ -z ${BENCH_KEEP:-} ]]; then
    pg_cluster_stop "$work/pg" >/dev/null 2>&1 || true
    rm -rf "$work"
  fi
}

# bench_build [bench] — a Release build of the app (and of bench/OpsPortal.Bench with "bench"); $app is its dll,
# or BENCH_APP's when set (another build on the same data: an older commit, or run.sh's published folder).
bench_build() {
  log "Building (Release)"
  dotnet build -c Release -nologo -v q OpsPortal.Web >/dev/null
  [[ ${1:-} != bench ]] || dotnet build -c Release -nologo -v q bench/OpsPortal.Bench >/dev/null
  app=${BENCH_APP:-$PWD/OpsPortal.Web/bin/Release/net10.0/OpsPortal.Web.dll}
}

# bench_cluster — the cluster in $work/pg (started, or reused when kept and running) with a migrated
# database opsportal; exports OPSPORTAL_DATABASE.
bench_cluster() {
  pg_ensure_server
  if pg_cluster_running "$work/pg"; then
    port=$(pg_cluster_port "$work/pg")
  else
    port=${BENCH_PG_PORT:-$(free_port 56000)}
    [[ -f $work/pg/data/PG_VERSION ]] || pg_cluster_init "$work/pg" >/dev/null
    pg_cluster_start "$work/pg" "$port" >/dev/null
    pg_create_database "$work/pg" opsportal >/dev/null
  fi
  export OPSPORTAL_DATABASE
  OPSPORTAL_DATABASE="$(pg_connection_string "$work/pg");Database=opsportal"
  dotnet "$app" migrate >/dev/null
}

# psql_db ARGS… — psql on the bench database: stop at the first error, bare rows.
psql_db() {
  PGPASSWORD=$(pg_password "$work/pg") psql -h 127.0.0.1 -p "$port" -U postgres -d opsportal -v ON_ERROR_STOP=1 -qAt "$@"
}

# bench_start_app [VAR=VALUE…] — the app on loopback, started in its own folder (Production, Hangfire jobs off
# unless a VAR turns them on), output in $work/app.log; returns once /health answers, dies with the log's tail if it never does.
bench_start_app() {
  local http_port=${BENCH_HTTP_PORT:-$(free_port 57000)}
  app=$(realpath "$app") # BENCH_APP may be relative to the repository
  # From its own folder, as run.sh and the container start it: its appsettings.json (log levels) applies. From
  # elsewhere the app finds no appsettings.json and logs every request at Information (4 lines a call).
  (cd "$(dirname "$app")" && exec env ASPNETCORE_URLS="http://127.0.0.1:$http_port" ASPNETCORE_ENVIRONMENT=Production \
    OpsPortal__RunJobs=false "$@" dotnet "$app") >"$work/app.log" 2>&1 &
  app_pid=$!
  base="http://127.0.0.1:$http_port"
  local deadline=$((SECONDS + 300))
  until curl -fs -o /dev/null "$base/health" 2>/dev/null; do
    if ! kill -0 "$app_pid" 2>/dev/null || ((SECONDS > deadline)); then
      tail -n 40 "$work/app.log" >&2
      die "The app did not start (log above)."
    fi
    sleep 1
  done
}
