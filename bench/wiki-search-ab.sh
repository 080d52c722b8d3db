#!/bin/bash
# Wiki search (issue 6): the search SQL before ADR-016 (A) against WikiSearch's current SQL (B),
# interleaved at random by pgbench in the same minutes, so a shared machine's load hits both alike.
# Prints p50/p95 per query and version (client latency incl. transfer of the 20 rows with snippets).
DB=${1:?usage: bench/wiki-search-ab.sh "host=… port=… user=… dbname=wiki_bench" [runs per query, default 80]}
N=${2:-80}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
H="'MaxWords=30, MinWords=12, MaxFragments=2'"
for q in "replication lag" "check" "certificate expired" '"primary failover"' "kafka -consumer"; do
  lit=${q//\'/\'\'}
  cat > "$T/a.sql" <<SQL
WITH q AS (SELECT websearch_to_tsquery('english', '$lit') AS q), hits AS (SELECT p.slug, p.title, p.body, p.updated_at, ts_rank_cd(p.search, q.q) AS rank FROM wiki_pages p, q WHERE p.search @@ q.q ORDER BY rank DESC, p.updated_at DESC LIMIT 20) SELECT h.slug, h.title, h.updated_at, h.rank, ts_headline('english', h.body, q.q, $H) FROM hits h, q ORDER BY h.rank DESC, h.updated_at DESC;
SQL
  cat > "$T/b.sql" <<SQL
WITH q AS MATERIALIZED (SELECT websearch_to_tsquery('english', '$lit') AS q), candidates AS (SELECT p.slug, p.title, p.body, p.search, p.updated_at, p.search_head @@ q.q AS in_head FROM wiki_pages p, q WHERE p.search @@ q.q ORDER BY in_head DESC, p.updated_at DESC LIMIT 1000), hits AS (SELECT c.slug, c.title, c.body, c.updated_at, c.in_head, ts_rank_cd(c.search, q.q, 1) AS rank FROM candidates c, q ORDER BY c.in_head DESC, rank DESC, c.updated_at DESC LIMIT 20) SELECT h.slug, h.title, h.updated_at, h.rank, ts_headline('english', CASE WHEN octet_length(h.body) <= 20000 THEN h.body ELSE (SELECT substr(b.text, greatest(1, coalesce((SELECT min(nullif(strpos(b.text, w[1]), 0)) FROM regexp_matches(q.q::text, '''([^'']+)''', 'g') w), (SELECT min(nullif(strpos(b.text, f), 0)) FROM regexp_matches(q.q::text, '''([^'']+)''', 'g') w, unnest(ARRAY[initcap(w[1]), upper(w[1])]) f), 1) - 500), 20000) FROM (SELECT h.body || '' AS text OFFSET 0) b) END, q.q, $H) FROM hits h, q ORDER BY h.in_head DESC, h.rank DESC, h.updated_at DESC;
SQL
  (cd "$T" && rm -f pgbench_log.* && /usr/lib/postgresql/15/bin/pgbench -n -t "$N" -l -f a.sql -f b.sql "$DB" >pgbench.out 2>&1) \
    || { cat "$T/pgbench.out"; exit 1; }
  for s in 0 1; do  # log lines: client tx latency_us script_no …; each script's first run (cold) is dropped
    awk -v s=$s '$4 == s { if (seen++) print $3 / 1000 }' "$T"/pgbench_log.* | sort -n | awk -v q="$q" -v s=$s '
      { v[NR] = $1 } END { printf "%-22s %s  n=%3d  p50=%6.1f ms  p95=%6.1f ms\n", q, (s ? "after " : "before"), NR, v[int((NR+1)/2)], v[int(NR*0.95+0.999)] }'
  done
done
