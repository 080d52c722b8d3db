# shellcheck shell=bash
# A local pgBackRest stanza for the backup tests: a small cluster of its own with archive_mode=on and
# archive_command = pgbackrest archive-push, a posix repository and a pgbackrest.conf, all under one
# folder (never /etc). Source it after scripts/postgres.sh; it defines functions only. test.sh calls
# pgbackrest_stanza_start and exports:
#   OPSPORTAL_TEST_PGBACKREST          connection string of the stanza's cluster (database postgres)
#   OPSPORTAL_TEST_PGBACKREST_STANZA   the stanza's name
#   OPSPORTAL_TEST_PGBACKREST_CONFIG   the pgbackrest.conf path
#   OPSPORTAL_TEST_PGBACKREST_SCRATCH  a folder the drills' scratch clusters go to
#   OPSPORTAL_TEST_PGBACKREST_USER     the OS user pgBackRest and the scratch clusters run as ("postgres" as root)

# pgbackrest_stanza_start DIR PORT — the cluster in DIR/pg on PORT, its repository in DIR/repo, the
# stanza "opsportal-test" created and checked (a WAL segment archived through archive_command).
pgbackrest_stanza_start() {
  local dir=$1 port=$2 bin stanza=opsportal-test
  bin=$(command -v pgbackrest || echo /usr/bin/pgbackrest)
  [[ -x $bin ]] || apt_install pgbackrest
  mkdir -p "$dir/repo" "$dir/log" "$dir/lock" "$dir/spool" "$dir/scratch"
  chmod 755 "$dir"
  chmod 700 "$dir/repo" "$dir/scratch"
  pg_cluster_init "$dir/pg"
  cat >"$dir/pgbackrest.conf" <<EOF
[global]
repo1-path=$dir/repo
repo1-retention-full=2
log-path=$dir/log
lock-path=$dir/lock
spool-path=$dir/spool
log-level-console=warn
log-level-file=info
start-fast=y
compress-type=lz4

[$stanza]
pg1-path=$dir/pg/data
pg1-port=$port
pg1-socket-path=$(pg_socket_dir "$dir/pg")
EOF
  chmod 644 "$dir/pgbackrest.conf"
  is_root && chown -R postgres:postgres "$dir/repo" "$dir/log" "$dir/lock" "$dir/spool" "$dir/scratch"
  # Archiving is configured before the first start; pgbackrest finds its config through --config.
  cat >>"$dir/pg/data/postgresql.auto.conf" <<EOF
archive_mode = on
archive_command = '$bin --config=$dir/pgbackrest.conf --stanza=$stanza archive-push %p'
wal_level = replica
max_wal_senders = 3
EOF
  # pgBackRest reaches its cluster over the socket as the OS user that owns it: peer, no password.
  sed -i '1i local all postgres peer' "$dir/pg/data/pg_hba.conf"
  pg_cluster_start "$dir/pg" "$port" --fast
  pgbackrest_run "$dir" --stanza="$stanza" stanza-create ||
    die "pgbackrest stanza-create failed (its log: $dir/log)."
  pgbackrest_run "$dir" --stanza="$stanza" check ||
    die "pgbackrest check failed: archive_command does not reach the repository (its log: $dir/log)."
  OPSPORTAL_TEST_PGBACKREST=$(pg_connection_string "$dir/pg" postgres)
  export OPSPORTAL_TEST_PGBACKREST OPSPORTAL_TEST_PGBACKREST_STANZA=$stanza \
    OPSPORTAL_TEST_PGBACKREST_CONFIG=$dir/pgbackrest.conf OPSPORTAL_TEST_PGBACKREST_SCRATCH=$dir/scratch
  if is_root; then export OPSPORTAL_TEST_PGBACKREST_USER=postgres; fi
}

# pgbackrest_run DIR ARGS… — pgbackrest with the folder's config, as the cluster's user.
pgbackrest_run() {
  local dir=$1 bin
  shift
  bin=$(command -v pgbackrest || echo /usr/bin/pgbackrest)
  if is_root; then
    runuser -u postgres -- "$bin" --config="$dir/pgbackrest.conf" "$@"
  else
    "$bin" --config="$dir/pgbackrest.conf" "$@"
  fi
}

# pgbackrest_stanza_stop DIR — stops the stanza's cluster (and any scratch cluster a crashed drill left).
pgbackrest_stanza_stop() {
  local dir=$1 scratch
  for scratch in "$dir"/scratch/*/; do
    [[ -f $scratch/postmaster.pid ]] && pg_run pg_ctl stop --pgdata="$scratch" --mode=immediate >/dev/null 2>&1
  done
  pg_cluster_stop "$dir/pg"
}
