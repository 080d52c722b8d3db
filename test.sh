#!/usr/bin/env bash
# Runs every test of OpsPortal from a fresh Debian/Ubuntu machine, and prints one summary line
# "N passed, N failed, N skipped". CI runs it through .ci/run. See usage() below.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/postgres.sh
source "$ROOT/scripts/postgres.sh"
# shellcheck source=scripts/test-services.sh
source "$ROOT/scripts/test-services.sh"
# shellcheck source=scripts/pgbackrest.sh
source "$ROOT/scripts/pgbackrest.sh"
# shellcheck source=scripts/smtp4dev.sh
source "$ROOT/scripts/smtp4dev.sh"
# shellcheck source=scripts/statsd-client.sh
source "$ROOT/scripts/statsd-client.sh"

usage() {
  cat <<'EOF'
Usage: ./test.sh [--filter EXPRESSION]

Installs what the tests need and is missing (PostgreSQL server, pgbouncer, pgbackrest, Chromium,
docker-compose, python3-statsd), starts a throwaway PostgreSQL cluster (OPSPORTAL_TEST_PG) with a streaming
replica (OPSPORTAL_TEST_PG_REPLICA), pgbouncer in transaction mode in front of it (OPSPORTAL_TEST_PGBOUNCER:
the integration tests' app goes through it) and a pgBackRest stanza on a cluster of its own
(OPSPORTAL_TEST_PGBACKREST*, scripts/pgbackrest.sh), builds the solution in Release, runs the unit,
integration, bunit and e2e tests, validates docker-compose.yml, and prints
"N passed, N failed, N skipped". Exits non-zero on any failure, or when no test ran.

Options:
  --filter EXPRESSION   passed to `dotnet test --filter` (e.g. "FullyQualifiedName~Auth")
  -h, --help            this text

Environment:
  OPSPORTAL_TEST_PG     use this PostgreSQL server (an admin connection string) instead of a
                        throwaway cluster; then no replica, pgbouncer or stanza is started: the
                        read-replica tests need OPSPORTAL_TEST_PG_REPLICA (a replica of it), the
                        pgBackRest tests OPSPORTAL_TEST_PGBACKREST* (scripts/pgbackrest.sh)
  OPSPORTAL_TEST_SMTP   use a running SMTP test server (host:port, with OPSPORTAL_TEST_SMTP_API and
                        OPSPORTAL_TEST_SMTP_LOGIN; see scripts/smtp4dev.sh) instead of starting smtp4dev

Results: TestResults/*.trx
EOF
}

RESULTS="$ROOT/TestResults"
UNIT_PROJECT="OpsPortal.Tests/OpsPortal.Tests.csproj"
E2E_PROJECT="e2e/OpsPortal.E2E/OpsPortal.E2E.csproj"
FILTER=""
PG_TMP=""      # the throwaway cluster's folder, when we made one
SMTP_TMP=""    # the SMTP test server's folder, when we started one

# Totals over every project and check.
PASSED=0
FAILED=0
SKIPPED=0
PROBLEMS=()    # failures that are not failed tests (a crashed run, an invalid compose file)

parse_args() {
  while (($# > 0)); do
    case $1 in
      --filter)
        (($# >= 2)) || die "--filter needs an expression"
        FILTER=$2
        shift
        ;;
      --filter=*) FILTER=${1#--filter=} ;;
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
}

has_e2e() { [[ -f $ROOT/$E2E_PROJECT ]]; }

# One apt run for everything missing: each apt-get start costs seconds.
install_missing() {
  local packages=()
  pg_find_bin || packages+=(postgresql postgresql-contrib)
  command -v pgbouncer >/dev/null 2>&1 || [[ -x /usr/sbin/pgbouncer ]] || packages+=(pgbouncer)
  command -v pgbackrest >/dev/null 2>&1 || [[ -x /usr/bin/pgbackrest ]] || packages+=(pgbackrest)
  # Playwright drives Debian's Chromium (it cannot download its own browser here).
  if has_e2e && [[ ! -x /usr/bin/chromium ]]; then packages+=(chromium); fi
  # Compose v1 validates docker-compose.yml offline; there is no Docker engine to ask.
  command -v docker-compose >/dev/null 2>&1 || packages+=(docker-compose)
  # The metrics tests send with a StatsD client library, not the portal's code.
  statsd_client_missing && packages+=(python3-statsd)
  if ((${#packages[@]} > 0)); then
    log "Installing ${packages[*]} (apt-get)"
    apt_install "${packages[@]}"
  fi
  pg_ensure_server
}

# A free TCP port for the cluster, away from the usual ones; random so that parallel runs (another
# checkout's test.sh) rarely meet.
free_port() {
  local port=$((56000 + RANDOM % 2000))
  while port_in_use "$port"; do port=$((port + 1)); done
  printf '%s\n' "$port"
}

start_test_database() {
  if [[ -n ${OPSPORTAL_TEST_PG:-} ]]; then
    log "Using the PostgreSQL server from OPSPORTAL_TEST_PG"
    return 0
  fi
  # In /tmp: as root the server runs as `postgres`, which must be able to enter the folder; mktemp
  # makes it private, so open it for traversal (the password file inside stays 0600).
  PG_TMP=$(mktemp -d /tmp/opsportal-test.XXXXXX)
  chmod 755 "$PG_TMP"
  local port started=$SECONDS
  port=$(free_port)
  log "Starting a throwaway PostgreSQL in $PG_TMP (port $port)"
  pg_cluster_init "$PG_TMP/pg"
  pg_cluster_start "$PG_TMP/pg" "$port" --fast
  OPSPORTAL_TEST_PG=$(pg_connection_string "$PG_TMP/pg")
  export OPSPORTAL_TEST_PG
  log "PostgreSQL ready in $((SECONDS - started))s"
  start_replica_and_pgbouncer
}

# A streaming replica (the log-read tests) and pgbouncer in transaction mode (the whole integration
# suite's request path goes through it, in the same single run: no second pass).
start_replica_and_pgbouncer() {
  local started=$SECONDS replica_port pgbouncer_port
  replica_port=$(free_port)
  log "Starting a streaming replica of it (port $replica_port)"
  replica_start "$PG_TMP/pg" "$PG_TMP/replica" "$replica_port"
  replica_wait_streaming "$PG_TMP/pg"
  OPSPORTAL_TEST_PG_REPLICA=$(pg_connection_string "$PG_TMP/replica")
  export OPSPORTAL_TEST_PG_REPLICA
  pgbouncer_port=$(free_port)
  log "Starting pgbouncer in transaction mode in front of it (port $pgbouncer_port)"
  pgbouncer_start "$PG_TMP/pgbouncer" "$PG_TMP/pg" "$pgbouncer_port"
  export OPSPORTAL_TEST_PGBOUNCER="Host=127.0.0.1;Port=$pgbouncer_port"
  log "Replica and pgbouncer ready in $((SECONDS - started))s"
  start_pgbackrest_stanza
}

# The pgBackRest backup tests: a cluster of its own archiving into a local repository (scripts/pgbackrest.sh).
start_pgbackrest_stanza() {
  local started=$SECONDS port
  port=$(free_port)
  log "Starting a pgBackRest stanza (its own cluster on port $port)"
  pgbackrest_stanza_start "$PG_TMP/pgbackrest" "$port"
  log "pgBackRest stanza ready in $((SECONDS - started))s"
}

# The email tests send to a real SMTP server: smtp4dev, a .NET local tool (scripts/smtp4dev.sh).
start_smtp_server() {
  if [[ -n ${OPSPORTAL_TEST_SMTP:-} ]]; then
    log "Using the SMTP test server from OPSPORTAL_TEST_SMTP"
    return 0
  fi
  SMTP_TMP=$(mktemp -d /tmp/opsportal-smtp.XXXXXX)
  local smtp_port api_port started=$SECONDS
  smtp_port=$(free_port)
  api_port=$(free_port)
  while ((api_port == smtp_port)) || port_in_use "$api_port"; do api_port=$((api_port + 1)); done
  log "Starting the SMTP test server (smtp4dev) on port $smtp_port"
  smtp4dev_start "$SMTP_TMP" "$smtp_port" "$api_port"
  log "SMTP test server ready in $((SECONDS - started))s"
}

# shellcheck disable=SC2317 # reached through the EXIT trap
cleanup() {
  local status=$?
  trap - EXIT INT TERM HUP PIPE
  # Finish the clean-up whatever happens now: a failing step or a closed output must not cut it short.
  set +e
  trap '' PIPE
  if [[ -n $SMTP_TMP ]]; then
    smtp4dev_stop "$SMTP_TMP" || warn "Could not stop the SMTP test server in $SMTP_TMP"
    rm -rf "$SMTP_TMP"
  fi
  if [[ -n $PG_TMP ]]; then
    pgbouncer_stop "$PG_TMP/pgbouncer" || warn "Could not stop pgbouncer in $PG_TMP/pgbouncer"
    [[ ! -d $PG_TMP/pgbackrest/pg ]] || pgbackrest_stanza_stop "$PG_TMP/pgbackrest" || warn "Could not stop the pgBackRest stanza's cluster in $PG_TMP/pgbackrest"
    [[ ! -d $PG_TMP/replica ]] || pg_cluster_stop "$PG_TMP/replica" || warn "Could not stop the test replica in $PG_TMP/replica"
    pg_cluster_stop "$PG_TMP/pg" || warn "Could not stop the test PostgreSQL in $PG_TMP"
    rm -rf "$PG_TMP"
  fi
  exit "$status"
}

# build — false when the solution (or the e2e project) does not build; the errors are on screen.
build() {
  local started=$SECONDS
  log "Building the solution (Release)"
  dotnet build "$ROOT/OpsPortal.sln" -c Release --nologo -v quiet || return 1
  # An e2e project that is not (yet) in the solution is built on its own.
  if has_e2e && ! grep -q 'OpsPortal\.E2E\.csproj' "$ROOT/OpsPortal.sln"; then
    dotnet build "$ROOT/$E2E_PROJECT" -c Release --nologo -v quiet || return 1
  fi
  log "Built in $((SECONDS - started))s"
}

# counter TRX NAME — one attribute of the <Counters …/> element of a .trx file (0 when absent).
counter() {
  local value
  value=$(grep -o '<Counters [^>]*>' "$1" | head -n 1 | sed -n "s/.* $2=\"\([0-9]*\)\".*/\1/p")
  printf '%s\n' "${value:-0}"
}

# run_tests NAME PROJECT — runs one test project and adds its counts to the totals.
run_tests() {
  local name=$1 project=$2 trx="$RESULTS/$1.trx" started=$SECONDS status=0
  log "Testing $name${FILTER:+ (filter: $FILTER)}"
  local args=(test "$ROOT/$project" --no-build -c Release --nologo
    --results-directory "$RESULTS" --logger "trx;LogFileName=$name.trx"
    # A hung test fails the run with its name instead of eating CI's time limit.
    --blame-hang-timeout 10m --blame-hang-dump-type none)
  [[ -z $FILTER ]] || args+=(--filter "$FILTER")
  dotnet "${args[@]}" || status=$?

  if [[ ! -f $trx ]]; then
    if ((status != 0)); then
      PROBLEMS+=("$name: dotnet test failed (exit code $status) and wrote no results")
    fi
    log "$name: no results (no test matched?) in $((SECONDS - started))s"
    return 0
  fi
  local total executed passed failed skipped
  total=$(counter "$trx" total)
  executed=$(counter "$trx" executed)
  passed=$(counter "$trx" passed)
  # Errors, timeouts and aborted tests are failures too.
  failed=$(($(counter "$trx" failed) + $(counter "$trx" error) + $(counter "$trx" timeout) + $(counter "$trx" aborted)))
  # Skipped tests are counted in total but not executed.
  skipped=$((total - executed))
  PASSED=$((PASSED + passed))
  FAILED=$((FAILED + failed))
  SKIPPED=$((SKIPPED + skipped))
  if ((status != 0 && failed == 0)); then
    PROBLEMS+=("$name: dotnet test failed (exit code $status) with no failed test (a crash? see above)")
  fi
  log "$name: $passed passed, $failed failed, $skipped skipped in $((SECONDS - started))s"
}

# Counted as one check: the portal's own recovery end to end — a backup made by the portal restored with
# ./run.sh --restore and served (scripts/test-restore.sh). Runs with no filter, or one naming PortalRestore.
check_portal_restore() {
  [[ -z $FILTER || $FILTER == *PortalRestore* ]] || return 0
  local started=$SECONDS
  log "Testing ./run.sh --restore end to end (scripts/test-restore.sh)"
  if "$ROOT/scripts/test-restore.sh"; then
    PASSED=$((PASSED + 1))
    log "./run.sh --restore: passed in $((SECONDS - started))s"
  else
    FAILED=$((FAILED + 1))
    PROBLEMS+=("scripts/test-restore.sh: ./run.sh --restore end to end failed (output above)")
  fi
}

# Counted as one check: the code has one format (.editorconfig), so a diff shows changes, not whitespace.
check_format() {
  log "Checking the format (dotnet format --verify-no-changes)"
  if dotnet format "$ROOT/OpsPortal.sln" --verify-no-changes --no-restore -v quiet; then
    PASSED=$((PASSED + 1))
    log "Format: clean"
  else
    FAILED=$((FAILED + 1))
    PROBLEMS+=("the code is not formatted (files above); run: dotnet format OpsPortal.sln")
  fi
}

# Counted as one check: docker compose is the documented path for machines with Docker.
validate_compose() {
  log "Validating docker-compose.yml"
  if (cd "$ROOT" && docker-compose -f docker-compose.yml config -q); then
    PASSED=$((PASSED + 1))
    log "docker-compose.yml: valid"
  else
    FAILED=$((FAILED + 1))
    PROBLEMS+=("docker-compose.yml is not valid (message above)")
  fi
}

main() {
  parse_args "$@"
  local started=$SECONDS
  require_dotnet_sdk 10
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP  # the terminal was closed
  trap 'exit 141' PIPE # our output was closed (./script | head)

  install_missing
  start_test_database
  start_smtp_server
  rm -rf "$RESULTS"
  mkdir -p "$RESULTS"

  local dotnet_tests=0
  if build; then
    run_tests OpsPortal.Tests "$UNIT_PROJECT"
    check_portal_restore
    if has_e2e; then
      run_tests OpsPortal.E2E "$E2E_PROJECT"
    else
      log "Skipping e2e: $E2E_PROJECT does not exist"
    fi
    dotnet_tests=$((PASSED + FAILED))
  else
    # Counted as a failed check, so the summary line itself shows that something failed.
    FAILED=$((FAILED + 1))
    PROBLEMS+=("the build failed (errors above); no test ran")
  fi
  validate_compose
  check_format

  ((dotnet_tests > 0)) || [[ ${#PROBLEMS[@]} -gt 0 ]] || PROBLEMS+=("no test ran")
  echo
  local problem
  for problem in "${PROBLEMS[@]}"; do printf 'FAILED: %s\n' "$problem"; done
  log "test.sh took $((SECONDS - started))s; results in ${RESULTS#"$ROOT"/}/"
  printf '%d passed, %d failed, %d skipped\n' "$PASSED" "$FAILED" "$SKIPPED"
  ((FAILED == 0 && ${#PROBLEMS[@]} == 0))
}

main "$@"
