# shellcheck shell=bash
# A private PostgreSQL cluster in a folder of its own, for run.sh (the portal's database when none is
# configured) and test.sh (a throwaway server for the tests). Source it; it defines functions only.
#
# A cluster folder DIR holds:
#   DIR/data                 the data directory (PGDATA)
#   DIR/run                  the Unix socket folder (see pg_socket_dir for the long-path fallback)
#   DIR/superuser.password   the generated password of the `postgres` superuser (mode 0600)
#   DIR/postgres.log         the server log
#   DIR/.lock                serialises start/stop between scripts sharing the cluster
#
# The server listens on 127.0.0.1 only, on a port of its own, with password (SCRAM) authentication
# for every connection, so the app connects with an ordinary connection string (pg_connection_string)
# and nothing depends on which OS user runs it. It uses its own socket folder because the system's
# /var/run/postgresql may belong to another server or be unwritable for a normal user.
#
# initdb and the server refuse to run as root: as root the programs run as the `postgres` user
# (created by the Debian package) through runuser, on folders that user owns. As a normal user they
# run directly.
#
# Functions take absolute paths. Typical use:
#   pg_ensure_server
#   pg_cluster_init "$dir"
#   pg_cluster_running "$dir" || pg_cluster_start "$dir" 55432
#   pg_wait_ready "$dir"
#   export OPSPORTAL_DATABASE=$(pg_connection_string "$dir" opsportal)

# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PG_BIN="" # the server's bin folder, set by pg_ensure_server

# pg_ensure_server — finds the PostgreSQL server programs, installing them from the distribution
# when missing. Sets PG_BIN.
pg_ensure_server() {
  if ! pg_find_bin; then
    log "Installing the PostgreSQL server from the distribution's packages (apt-get)"
    apt_install postgresql postgresql-contrib
    pg_find_bin || die "PostgreSQL was installed but no /usr/lib/postgresql/*/bin/pg_ctl was found."
  fi
  if is_root && ! id -u postgres >/dev/null 2>&1; then
    die "Running as root, PostgreSQL must run as the 'postgres' user, which does not exist. Install the 'postgresql' package or run as a normal user."
  fi
}

# pg_find_bin — sets PG_BIN to the newest installed server's bin folder (Debian 12: PostgreSQL 15).
pg_find_bin() {
  local ctl
  ctl=$(compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' | sort -V | tail -n 1) || return 1
  [[ -n $ctl ]] || return 1
  PG_BIN=${ctl%/pg_ctl}
}

# pg_run PROGRAM ARGS... — runs a server program (initdb, pg_ctl) as the cluster's owner.
pg_run() {
  # A shell that sourced this file without pg_ensure_server (say, to stop a cluster) still finds the
  # programs; an empty PG_BIN made every call fail, so a running cluster read as stopped.
  [[ -n $PG_BIN ]] || pg_find_bin || die "No PostgreSQL server programs found (/usr/lib/postgresql/*/bin); run pg_ensure_server."
  local program="$PG_BIN/$1"
  shift
  if is_root; then
    runuser -u postgres -- "$program" "$@"
  else
    "$program" "$@"
  fi
}

# pg_reachable DIR — true when the server's user can reach DIR (or the nearest existing parent).
# As root the server runs as `postgres`, which cannot enter e.g. /root: callers pick another place.
pg_reachable() {
  is_root || return 0
  local dir=$1
  while [[ ! -e $dir ]]; do dir=$(dirname "$dir"); done
  runuser -u postgres -- test -x "$dir"
}

# pg_socket_dir DIR — the cluster's socket folder. A Unix socket path is limited to 107 bytes, of
# which the file name ".s.PGSQL.NNNNN.lock" takes 20; a deep checkout gets a short folder in /tmp
# instead, named after DIR so every script finds the same one.
pg_socket_dir() {
  local dir="$1/run"
  if ((${#dir} > 80)); then
    dir="/tmp/opsportal-pg-$(printf '%s' "$1" | cksum | cut -d ' ' -f 1)"
  fi
  printf '%s\n' "$dir"
}

# pg_cluster_init DIR — creates the cluster in DIR unless it exists already.
pg_cluster_init() {
  local dir=$1
  [[ -f $dir/data/PG_VERSION ]] && return 0
  # pg_ctl hands -o options to a shell; a quote in the path would break the socket option.
  [[ $dir != *"'"* ]] || die "The PostgreSQL folder must not contain a single quote: $dir"
  if [[ -d $dir/data ]] && [[ -n $(ls -A "$dir/data") ]]; then
    die "$dir/data exists but holds no PostgreSQL cluster (an interrupted set-up?). Move it away and run again."
  fi

  local pwfile="$dir/superuser.password"
  mkdir -p "$dir/data"
  chmod 700 "$dir/data"
  (umask 077 && random_secret >"$pwfile")
  : >"$dir/postgres.log"
  if is_root; then
    chown postgres:postgres "$dir/data" "$pwfile" "$dir/postgres.log"
    pg_reachable "$dir" ||
      die "The 'postgres' user cannot enter $dir (a parent folder is private, like /root). Use a folder it can read."
  fi

  if ! pg_run initdb --pgdata="$dir/data" --username=postgres --auth=scram-sha-256 \
    --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    die "initdb failed (log above)."
  fi
}

# pg_cluster_running DIR — true when the cluster's server is up.
pg_cluster_running() {
  [[ -f $1/data/PG_VERSION ]] && pg_run pg_ctl status --pgdata="$1/data" >/dev/null 2>&1
}

# pg_cluster_start DIR PORT [--fast] — starts the server and waits until it accepts connections.
# --fast trades durability for speed (no fsync): for throwaway test clusters only, never real data.
pg_cluster_start() {
  local dir=$1 port=$2 fast=${3:-}
  local sock
  sock=$(pg_socket_dir "$dir")
  mkdir -p "$sock"
  chmod 700 "$sock"
  is_root && chown postgres:postgres "$sock"
  if port_in_use "$port"; then
    die "Port $port (for PostgreSQL) is in use by another program; choose another port."
  fi

  local opts="-p $port -k '$sock' -c listen_addresses=127.0.0.1"
  if [[ $fast == --fast ]]; then
    opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  # The server must not inherit the lock's descriptor (pg_lock): it would hold the lock for its
  # whole life, and the next pg_lock would wait for it forever.
  local lock_fd=${PG_LOCK_FD:-9}
  if ! pg_run pg_ctl start --pgdata="$dir/data" --log="$dir/postgres.log" --wait --timeout=60 \
    -o "$opts" >/dev/null {lock_fd}>&-; then
    tail -n 20 "$dir/postgres.log" >&2
    die "PostgreSQL did not start (log above, in $dir/postgres.log)."
  fi
  pg_wait_ready "$dir"
}

# pg_cluster_stop DIR — stops the server (disconnecting clients), if it runs.
pg_cluster_stop() {
  pg_cluster_running "$1" || return 0
  pg_run pg_ctl stop --pgdata="$1/data" --mode=fast --wait --timeout=60 >/dev/null
}

# pg_cluster_port DIR — the port of the running server, from its postmaster.pid (line 4), so a
# script that finds the cluster already running connects where it really listens.
pg_cluster_port() {
  sed -n 4p "$1/data/postmaster.pid"
}

# pg_wait_ready DIR [SECONDS] — waits until the running server accepts connections (it may have
# been started a moment ago by another script).
pg_wait_ready() {
  local dir=$1 timeout=${2:-30} port
  local deadline=$((SECONDS + timeout))
  until port=$(pg_cluster_port "$dir" 2>/dev/null) && [[ -n $port ]] &&
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1; do
    ((SECONDS < deadline)) || die "PostgreSQL in $dir is not ready after ${timeout}s (log: $dir/postgres.log)."
    sleep 0.2
  done
}

# pg_password DIR — the superuser password. For connection strings only: never print it.
pg_password() {
  local pwfile="$1/superuser.password"
  [[ -r $pwfile ]] || die "Missing $pwfile: the cluster in $1 cannot be used without it."
  head -n 1 "$pwfile"
}

# pg_connection_string DIR [DATABASE] — an Npgsql connection string to the running server.
pg_connection_string() {
  local dir=$1 database=${2:-} port cs
  port=$(pg_cluster_port "$dir")
  cs="Host=127.0.0.1;Port=$port;Username=postgres;Password=$(pg_password "$dir")"
  [[ -z $database ]] || cs+=";Database=$database"
  printf '%s\n' "$cs"
}

# pg_psql DIR DATABASE PSQL-ARGS... — runs psql as the superuser (password through the environment
# of psql alone, so it appears on no command line).
pg_psql() {
  local dir=$1 database=$2 port password
  shift 2
  port=$(pg_cluster_port "$dir")
  password=$(pg_password "$dir")
  PGPASSWORD=$password "$PG_BIN/psql" --no-psqlrc --quiet --set=ON_ERROR_STOP=1 \
    --host=127.0.0.1 --port="$port" --username=postgres --dbname="$database" "$@"
}

# pg_create_database DIR NAME — creates database NAME unless it exists.
pg_create_database() {
  local dir=$1 name=$2
  [[ $name =~ ^[a-z_][a-z0-9_]*$ ]] || die "Unexpected database name: $name"
  if [[ $(pg_psql "$dir" postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$name'") != 1 ]]; then
    # Another script may create it at the same moment; the result is the same.
    pg_psql "$dir" postgres -c "CREATE DATABASE $name" 2>/dev/null ||
      [[ $(pg_psql "$dir" postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$name'") == 1 ]] ||
      die "Could not create the database $name."
  fi
}

# pg_lock DIR / pg_unlock — an exclusive lock on the cluster folder, held around "is it running?
# then start it" and "is anyone still using it? then stop it", so two scripts don't both act.
PG_LOCK_FD=""
pg_lock() {
  mkdir -p "$1"
  exec {PG_LOCK_FD}>"$1/.lock"
  flock --timeout 120 "$PG_LOCK_FD" || die "Timed out waiting for the lock on $1/.lock."
}
pg_unlock() {
  [[ -n $PG_LOCK_FD ]] || return 0
  exec {PG_LOCK_FD}>&-
  PG_LOCK_FD=""
}
