# shellcheck shell=bash
# Servers the integration tests need beside the throwaway PostgreSQL (scripts/postgres.sh): a
# streaming replica of it (log reads, docs/database.md) and pgbouncer in transaction mode in front
# of it (the request path goes through it for the whole OpsPortal.Tests run). Source it after
# scripts/postgres.sh; it defines functions only. test.sh calls them and exports:
#   OPSPORTAL_TEST_PG_REPLICA   an admin connection string of the replica (no database)
#   OPSPORTAL_TEST_PGBOUNCER    host and port of pgbouncer ("Host=127.0.0.1;Port=N")

# replica_start PRIMARY_DIR REPLICA_DIR PORT — a hot standby of the running cluster in PRIMARY_DIR,
# made with pg_basebackup -R (streaming replication), started on PORT. Same superuser password.
replica_start() {
  local primary=$1 dir=$2 port=$3 primary_port
  primary_port=$(pg_cluster_port "$primary")
  mkdir -p "$dir/data"
  chmod 700 "$dir/data"
  cp "$primary/superuser.password" "$dir/superuser.password"
  : >"$dir/postgres.log"
  # The password reaches pg_basebackup through a passfile only the server's user can read, never argv.
  (umask 077 && printf '127.0.0.1:%s:*:postgres:%s\n' "$primary_port" "$(pg_password "$primary")" >"$dir/pgpass")
  if is_root; then
    chown postgres:postgres "$dir/data" "$dir/superuser.password" "$dir/postgres.log" "$dir/pgpass"
  fi
  # -R writes standby.signal and primary_conninfo; -X stream copies the WAL written meanwhile. The slot keeps
  # the primary's WAL until the standby has it: without one a standby that fell behind under the suite's load
  # found its next segment recycled and never caught up again (the read-replica tests then timed out).
  if ! pg_run_env "PGPASSFILE=$dir/pgpass" pg_basebackup --pgdata="$dir/data" --host=127.0.0.1 --port="$primary_port" \
    --username=postgres --no-password --write-recovery-conf --wal-method=stream --checkpoint=fast \
    --create-slot --slot=opsportal_test_replica >"$dir/basebackup.log" 2>&1; then
    cat "$dir/basebackup.log" >&2
    die "pg_basebackup of the test PostgreSQL failed (log above)."
  fi
  # The standby reads the same passfile when it connects to the primary.
  printf "primary_conninfo = 'host=127.0.0.1 port=%s user=postgres passfile=%s application_name=opsportal-replica'\n" \
    "$primary_port" "$dir/pgpass" >>"$dir/data/postgresql.auto.conf"
  pg_cluster_start "$dir" "$port" --fast
}

# replica_wait_streaming PRIMARY_DIR — waits until the primary reports a streaming standby.
replica_wait_streaming() {
  local deadline=$((SECONDS + 60))
  until [[ $(pg_psql "$1" postgres -Atc "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") -ge 1 ]]; do
    ((SECONDS < deadline)) || die "The test replica does not stream from the primary after 60 s (log: its postgres.log)."
    sleep 0.2
  done
}

# pg_run_env VAR=VALUE PROGRAM ARGS… — pg_run with one environment variable set for the program.
pg_run_env() {
  local assignment=$1 program="$PG_BIN/$2"
  shift 2
  if is_root; then
    runuser -u postgres -- env "$assignment" "$program" "$@"
  else
    env "$assignment" "$program" "$@"
  fi
}

# pgbouncer_start DIR CLUSTER_DIR PORT — pgbouncer on 127.0.0.1:PORT in transaction mode, for every
# database of the cluster in CLUSTER_DIR, as the superuser. Installs the Debian package if missing.
pgbouncer_start() {
  local dir=$1 cluster=$2 port=$3 bin
  bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
  [[ -x $bin ]] || apt_install pgbouncer
  mkdir -p "$dir"
  # SCRAM both ways needs the plain password (or its SCRAM secret) in the auth file.
  (umask 077 && printf '"postgres" "%s"\n' "$(pg_password "$cluster")" >"$dir/userlist.txt")
  cat >"$dir/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=$(pg_cluster_port "$cluster")

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
pool_mode = transaction
max_client_conn = 4000
default_pool_size = 20
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
EOF
  # pgbouncer refuses to run as root.
  if is_root; then
    chown -R postgres:postgres "$dir"
    runuser -u postgres -- "$bin" -d -q "$dir/pgbouncer.ini"
  else
    "$bin" -d -q "$dir/pgbouncer.ini"
  fi
  local deadline=$((SECONDS + 30))
  until port_in_use "$port"; do
    if ((SECONDS >= deadline)); then
      # The folder goes with test.sh's clean-up: show the log here, not only its path.
      cat "$dir/pgbouncer.log" >&2 2>/dev/null || true
      die "pgbouncer did not start on port $port (its log above)."
    fi
    sleep 0.1
  done
}

# pgbouncer_stop DIR — stops the pgbouncer started in DIR, if it runs.
pgbouncer_stop() {
  local pidfile="$1/pgbouncer.pid" pid
  [[ -f $pidfile ]] || return 0
  pid=$(<"$pidfile")
  kill -TERM "$pid" 2>/dev/null || return 0
  local waited=0
  while kill -0 "$pid" 2>/dev/null && ((waited < 50)); do
    sleep 0.1
    waited=$((waited + 1))
  done
}
