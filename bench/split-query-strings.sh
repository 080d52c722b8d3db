#!/usr/bin/env bash
# The Ingest5 migration's split of stored rows (ADR-044): N access rows over 7 days stored the old way
# (the query string inside path, a third of them with one), then the migration's own block (read from
# the migration's source) splits them, one day partition per transaction. Prints rows split per second.
#   [BENCH_KEEP=/dir] [BENCH_PG_PORT=N] bench/split-query-strings.sh [ROWS]     (default 3000000)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=lib.sh
source bench/lib.sh

rows=${1:-3000000}
bench_workdir split
bench_build
log "Starting PostgreSQL (migrated)"
bench_cluster

log "Storing $rows rows the old way"
psql_db <<SQL
SELECT count(access_ensure_partition((current_date - d)::date)) FROM generate_series(0, 7) d \g /dev/null
TRUNCATE access;
INSERT INTO access (ip, date, method, path, status, size)
SELECT '10.0.0.1', (current_date - 7)::timestamp + (g::double precision / $rows) * interval '7 days', 'GET',
       '/api/orders/' || (g % 5000) || CASE WHEN g % 3 = 0 THEN '/items?page=' || (g % 20) || '&ts=' || g ELSE '' END, 200, 10
FROM generate_series(1, $rows) g;
TRUNCATE access_rollup_dirty;
VACUUM ANALYZE access;
SQL
split_sql=$(python3 - <<'PY'
import glob, re
source = open(glob.glob('OpsPortal.Core/Data/Migrations/*_Ingest5.cs')[0]).read()
print(re.search(r'internal const string SplitRows = """\n(.*?)\n\s*""";', source, re.S).group(1))
PY
)
log "Splitting (load: $(cut -d' ' -f1-3 /proc/loadavg))"
started=$(date +%s.%N)
psql_db -c "$split_sql"
seconds=$(echo "$(date +%s.%N) - $started" | bc)
split=$(psql_db -c "SELECT count(*) FROM access WHERE query IS NOT NULL")
left=$(psql_db -c "SELECT count(*) FROM access WHERE strpos(path, '?') > 0")
printf 'rows %s, split %s in %.1f s (%.0f rows/s), left unsplit %s, load %s\n' \
  "$rows" "$split" "$seconds" "$(echo "$split / $seconds" | bc -l)" "$left" "$(cut -d' ' -f1-3 /proc/loadavg)"
