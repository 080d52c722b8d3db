#!/usr/bin/env bash
# Times GET /api/metrics/incidents and the metrics page's CSV export against N synthetic incidents
# (default 10,000 over a year, 20 services, ~5% unacknowledged, ~2% open), written straight into
# the incidents table of a portal's database.
# Usage: bench/incident-metrics.sh BASE_URL TOKEN PSQL_CONNINFO [N]
#   e.g. bench/incident-metrics.sh http://127.0.0.1:5104 ops_… "host=127.0.0.1 port=56004 user=postgres dbname=devinc" 10000
set -euo pipefail
BASE=$1 TOKEN=$2 CONN=$3 N=${4:-10000}

psql "$CONN" -q -v n="$N" <<'SQL'
DELETE FROM incidents WHERE created_by = 'bench';
INSERT INTO incidents (title, severity, status, services, participants, started_at, detected_at, acknowledged_at,
                       mitigated_at, resolved_at, created_by, created_at, updated_at)
SELECT 'bench ' || g, 1 + g % 4,
       CASE WHEN g % 50 = 0 THEN 'Investigating' ELSE 'Resolved' END,
       ARRAY['svc-' || (g % 20)], ARRAY['bench'],
       s, s + interval '5 min' * (1 + g % 7),
       CASE WHEN g % 20 = 0 THEN NULL ELSE s + interval '9 min' * (1 + g % 5) END,
       CASE WHEN g % 50 = 0 THEN NULL ELSE s + interval '30 min' * (1 + g % 3) END,
       CASE WHEN g % 50 = 0 THEN NULL ELSE s + interval '40 min' * (1 + g % 4) END,
       'bench', now(), now()
FROM generate_series(1, :n) g, LATERAL (SELECT now() - interval '365 days' * random() AS s) t;
ANALYZE incidents;
SQL

run() {
  local label=$1 url=$2 best=999
  for _ in 1 2 3 4 5; do
    t=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "$url")
    best=$(awk -v a="$t" -v b="$best" 'BEGIN { print (a < b) ? a : b }')
  done
  printf '%-40s best of 5: %s s\n' "$label" "$best"
}
FROM=$(date -u -d '-365 days' +%Y-%m-%dT%H:%M:%SZ)
run "metrics, all services, 365 d" "$BASE/api/metrics/incidents?from=$FROM"
run "metrics, one service, SEV2" "$BASE/api/metrics/incidents?from=$FROM&service=svc-3&severity=SEV2"
run "CSV by week, 365 d" "$BASE/api/metrics/incidents/export?from=$FROM&period=week"
psql "$CONN" -q -c "DELETE FROM incidents WHERE created_by = 'bench'"
