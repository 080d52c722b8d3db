#!/bin/bash
# Wiki search (issue 6): CPU time of the PostgreSQL backend per search query (what wall time would be on an idle core).
# The SQL is WikiSearch's (keep in sync). The outer sum(length(...)) makes PostgreSQL compute the
# snippets: an earlier version wrapped the query in count(*), and the planner dropped ts_headline,
# which was most of the cost.
DB=${1:?usage: bench/wiki-search-cpu.sh "host=… port=… user=… dbname=wiki_bench" (seeded by the wiki bench)}
for q in "replication lag" "check" "certificate expired" "kafka -consumer"; do
  coproc PSQL { psql "$DB" -Atq 2>&1; }
  echo "SELECT pg_backend_pid();" >&${PSQL[1]}; read -r pid <&${PSQL[0]}
  SQL="WITH q AS MATERIALIZED (SELECT websearch_to_tsquery('english', '$q') AS q),
    candidates AS (SELECT p.slug, p.title, p.body, p.search, p.updated_at, p.search_head @@ q.q AS in_head
      FROM wiki_pages p, q WHERE p.search @@ q.q ORDER BY in_head DESC, p.updated_at DESC LIMIT 1000),
    hits AS (SELECT c.slug, c.body, c.in_head, c.updated_at, ts_rank_cd(c.search, q.q, 1) AS rank FROM candidates c, q
      ORDER BY c.in_head DESC, rank DESC, c.updated_at DESC LIMIT 20)
    SELECT sum(length(ts_headline('english', CASE WHEN octet_length(h.body) <= 20000 THEN h.body ELSE (
      SELECT substr(b.text, greatest(1, coalesce((SELECT min(nullif(strpos(b.text, w[1]), 0)) FROM regexp_matches(q.q::text, '''([^'']+)''', 'g') w), (SELECT min(nullif(strpos(b.text, f), 0))
        FROM regexp_matches(q.q::text, '''([^'']+)''', 'g') w, unnest(ARRAY[initcap(w[1]), upper(w[1])]) f), 1) - 500), 20000)
      FROM (SELECT h.body || '' AS text OFFSET 0) b) END,
      q.q, 'MaxWords=30, MinWords=12, MaxFragments=2'))) FROM hits h, q;"
  SQL=${SQL//$'\n'/ }
  echo "$SQL" >&${PSQL[1]}; read -r _ <&${PSQL[0]}   # warm-up
  t0=$(awk '{print $14+$15}' /proc/$pid/stat)
  for i in $(seq 20); do echo "$SQL" >&${PSQL[1]}; read -r _ <&${PSQL[0]}; done
  t1=$(awk '{print $14+$15}' /proc/$pid/stat)
  echo "\"$q\": $(( (t1 - t0) * 1000 / $(getconf CLK_TCK) / 20 )) ms CPU per query (20 runs)"
  echo '\q' >&${PSQL[1]}; wait
done
