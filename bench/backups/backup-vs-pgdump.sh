#!/usr/bin/env bash
# Backup and drill speed: the portal's backup (pg_dump -Fc through the launcher, row counts in the same
# snapshot, sha256) against `pg_dump -Fc` by hand, and a drill (scratch database, pg_restore, checks, drop)
# against `pg_restore` by hand, on one database of SIZE_GB (default 1) in a throwaway cluster.
#
#   bench/backups/backup-vs-pgdump.sh            # 1 GB
#   SIZE_GB=10 bench/backups/backup-vs-pgdump.sh # the issue's 10 GB run (needs ~25 GB free in /tmp)
#
# The portal's side is the real app on loopback, driven through its API as an Admin would: create the
# target, POST …/run, POST …/drill; a Hangfire worker of the app runs both. The times are the app's own
# started/finished stamps (so the job queue's pick-up delay is not counted, and the sha256 and records are).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=../lib.sh
source bench/lib.sh

SIZE_GB=${SIZE_GB:-1}
command -v bc >/dev/null || apt_install bc
command -v curl >/dev/null || apt_install curl
command -v jq >/dev/null || apt_install jq
bench_workdir backup-bench
bench_build
bench_cluster
export OPSPORTAL_ADMIN_PASSWORD=Bench-password-1 OPSPORTAL_ADMIN_EMAIL=bench@localhost
dotnet "$app" ensure-admin >/dev/null

bench_db() { PGPASSWORD=$(pg_password "$work/pg") psql -h 127.0.0.1 -p "$port" -U postgres -d bench -v ON_ERROR_STOP=1 -qAt "$@"; }
log "Filling database bench with ~${SIZE_GB} GB (rows of ~1 kB, with an index)"
pg_create_database "$work/pg" bench >/dev/null
# ~1 kB a row: 1 M rows per GB.
bench_db -c "CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz NOT NULL, host text, body text)"
bench_db -c "INSERT INTO events SELECT g, now() - g * interval '1 second', 'host-' || (g % 50), repeat(md5(g::text), 28) FROM generate_series(1, (${SIZE_GB} * 1000000)::bigint) g"
bench_db -c "CREATE INDEX ON events (at)" -c "VACUUM ANALYZE events"
echo "Database: $(bench_db -c "SELECT pg_size_pretty(pg_database_size('bench'))")"
echo "uptime: $(uptime)"

password=$(pg_password "$work/pg")
start=$(date +%s.%N)
PGPASSWORD=$password "$PG_BIN/pg_dump" --format=custom --host=127.0.0.1 --port="$port" --username=postgres --file="$work/by-hand.dump" bench
by_hand=$(printf "%.2f" "$(echo "$(date +%s.%N) - $start" | bc)")
bench_db -c "CREATE DATABASE restore_by_hand"
start=$(date +%s.%N)
PGPASSWORD=$password "$PG_BIN/pg_restore" --exit-on-error --no-owner --no-privileges --jobs=2 --host=127.0.0.1 --port="$port" \
  --username=postgres --dbname=restore_by_hand "$work/by-hand.dump"
restore_by_hand=$(printf "%.2f" "$(echo "$(date +%s.%N) - $start" | bc)")
bench_db -c "DROP DATABASE restore_by_hand"
echo "pg_dump -Fc by hand:    ${by_hand} s ($(stat -c %s "$work/by-hand.dump") bytes)"
echo "pg_restore -j2 by hand: ${restore_by_hand} s"
rm -f "$work/by-hand.dump"

mkdir -p "$work/out"
bench_start_app OpsPortal__RunJobs=true OpsPortal__Backups__Folder="$work/out" OpsPortal__Backups__MinFreeMegabytes=1
token=$(curl -fs -X POST "$base/api/auth/tokens" -H 'content-type: application/json' \
  -d "{\"email\":\"$OPSPORTAL_ADMIN_EMAIL\",\"password\":\"$OPSPORTAL_ADMIN_PASSWORD\",\"name\":\"bench\"}" | sed 's/.*"token":"\([^"]*\)".*/\1/')
api() { curl -fsS -H "Authorization: Bearer $token" -H 'content-type: application/json' "$@"; }

source_cs="Host=127.0.0.1;Port=$port;Username=postgres;Password=$password;Database=bench"
target=$(api -X POST "$base/api/backups/targets" \
  -d "{\"name\":\"bench\",\"connectionString\":\"$source_cs\",\"destination\":\"$work/out\"}" | jq -r .id)
backup=$(api -X POST "$base/api/backups/targets/$target/run" | jq -r .id)
log "Backup $backup queued; waiting for the app's job worker"
until [[ $(psql_db -c "SELECT CASE WHEN finished_at IS NULL THEN 'running' ELSE status END FROM backups WHERE id = $backup") =~ ^(succeeded|failed)$ ]]; do sleep 1; done
[[ $(psql_db -c "SELECT status FROM backups WHERE id = $backup") == succeeded ]] ||
  die "The backup failed: $(psql_db -c "SELECT error FROM backups WHERE id = $backup")"
portal_backup=$(psql_db -c "SELECT round(extract(epoch FROM finished_at - started_at)::numeric, 2) FROM backups WHERE id = $backup")

drill=$(api -X POST "$base/api/backups/$backup/drill" | jq -r .id)
log "Drill $drill queued"
# The drill's status may read "passed" a moment before its finished_at is written: wait for both.
until [[ $(psql_db -c "SELECT CASE WHEN finished_at IS NULL THEN 'running' ELSE status END FROM backup_drills WHERE id = $drill") =~ ^(passed|failed)$ ]]; do sleep 1; done
[[ $(psql_db -c "SELECT status FROM backup_drills WHERE id = $drill") == passed ]] ||
  die "The drill failed: $(psql_db -c "SELECT coalesce(failed_step, '') || ': ' || coalesce(error, '') FROM backup_drills WHERE id = $drill")"
portal_drill=$(psql_db -c "SELECT round(extract(epoch FROM finished_at - started_at)::numeric, 2) FROM backup_drills WHERE id = $drill")
rto=$(psql_db -c "SELECT round(rto_seconds::numeric, 2) FROM backup_drills WHERE id = $drill")

echo "portal backup:          ${portal_backup} s ($(psql_db -c "SELECT size_bytes FROM backups WHERE id = $backup") bytes; dump + counts + sha256)"
echo "portal drill:           ${portal_drill} s (RTO ${rto} s)"
echo "backup speed vs by hand: $(echo "scale=2; $by_hand / $portal_backup" | bc) ×"
echo "drill time vs restore by hand: $(echo "scale=2; $portal_drill / $restore_by_hand" | bc) ×"
echo "uptime: $(uptime)"
