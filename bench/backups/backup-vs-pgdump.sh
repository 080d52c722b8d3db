#!/usr/bin/env bash
# Backup and drill speed: the portal's backup (pg_dump -Fc through the launcher, row counts in the same
# snapshot, sha256) against `pg_dump -Fc` by hand, and a drill (pg_restore + checks + drop) against
# `pg_restore` by hand, on one database of SIZE_GB (default 1) in a throwaway cluster.
#
#   bench/backups/backup-vs-pgdump.sh            # 1 GB (what was measured on the shared machine)
#   SIZE_GB=10 bench/backups/backup-vs-pgdump.sh # the issue's 10 GB run (needs ~25 GB free in /tmp)
#
# Runs the real app code (BackupRunner/BackupDrills) through the test project's BackupBench class.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
source "$ROOT/scripts/postgres.sh"
SIZE_GB=${SIZE_GB:-1}
PORT=${BENCH_PG_PORT:-57215}
DIR=$(mktemp -d /tmp/opsportal-backup-bench-XXXX)
chmod 755 "$DIR"
trap 'pg_cluster_stop "$DIR/pg" >/dev/null 2>&1 || true; rm -rf "$DIR"' EXIT
pg_ensure_server
pg_cluster_init "$DIR/pg"
pg_cluster_start "$DIR/pg" "$PORT" --fast
pg_wait_ready "$DIR/pg"
pg_create_database "$DIR/pg" bench
echo "Filling bench with ~${SIZE_GB} GB (rows of ~1 kB, with an index)…"
# ~1 kB a row: 1 M rows per GB.
pg_psql "$DIR/pg" bench -c "CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz NOT NULL, host text, body text)"
pg_psql "$DIR/pg" bench -c "INSERT INTO events SELECT g, now() - g * interval '1 second', 'host-' || (g % 50), repeat(md5(g::text), 28) FROM generate_series(1, ${SIZE_GB} * 1000000) g"
pg_psql "$DIR/pg" bench -c "CREATE INDEX ON events (at)" -c "VACUUM ANALYZE events"
SIZE=$(pg_psql "$DIR/pg" bench -Atc "SELECT pg_size_pretty(pg_database_size('bench'))")
CS=$(pg_connection_string "$DIR/pg" bench)
PASSWORD=$(pg_password "$DIR/pg")

echo "Database: $SIZE"
echo "uptime: $(uptime)"
start=$(date +%s.%N)
PGPASSWORD=$PASSWORD "$PG_BIN/pg_dump" --format=custom --host=127.0.0.1 --port="$PORT" --username=postgres --file="$DIR/by-hand.dump" bench
by_hand=$(echo "$(date +%s.%N) - $start" | bc)
pg_psql "$DIR/pg" postgres -c "CREATE DATABASE restore_by_hand"
start=$(date +%s.%N)
PGPASSWORD=$PASSWORD "$PG_BIN/pg_restore" --exit-on-error --no-owner --no-privileges --jobs=2 --host=127.0.0.1 --port="$PORT" --username=postgres --dbname=restore_by_hand "$DIR/by-hand.dump"
restore_by_hand=$(echo "$(date +%s.%N) - $start" | bc)
pg_psql "$DIR/pg" postgres -c "DROP DATABASE restore_by_hand"
echo "pg_dump -Fc by hand:   ${by_hand} s ($(stat -c %s "$DIR/by-hand.dump") bytes)"
echo "pg_restore -j2 by hand: ${restore_by_hand} s"
rm -f "$DIR/by-hand.dump"

cd "$ROOT"
OPSPORTAL_BENCH_SOURCE=$CS OPSPORTAL_BENCH_FOLDER=$DIR/out OPSPORTAL_TEST_PG=$(pg_connection_string "$DIR/pg") \
  dotnet test OpsPortal.Tests -c Release --no-build --nologo -v quiet --filter "FullyQualifiedName~BackupBench" --logger "console;verbosity=detailed" 2>&1 |
  grep -E "portal (backup|drill)|Passed|Failed|error" || true
echo "uptime: $(uptime)"
