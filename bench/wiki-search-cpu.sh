#!/bin/bash
# Wiki search (issue 6): CPU time of the PostgreSQL backend per search query (what wall time would be on an idle core).
DB=${1:?usage: bench/wiki-search-cpu.sh "host=… port=… user=… dbname=wiki_bench" (seeded by the wiki bench)}
for q in "replication lag" "check" "certificate expired" "kafka -consumer"; do
  coproc PSQL { psql "$DB" -Atq 2>&1; }
  echo "SELECT pg_backend_pid();" >&${PSQL[1]}; read -r pid <&${PSQL[0]}
  SQL="WITH q AS (SELECT websearch_to_tsquery('english', '$q') AS q), hits AS (SELECT p.slug, p.title, p.body, p.updated_at, ts_rank_cd(p.search, q.q) AS rank FROM wiki_pages p, q WHERE p.search @@ q.q ORDER BY rank DESC, p.updated_at DESC LIMIT 20) SELECT count(*) FROM (SELECT ts_headline('english', h.body, q.q, 'MaxWords=30, MinWords=12, MaxFragments=2') FROM hits h, q) x;"
  echo "$SQL" >&${PSQL[1]}; read -r _ <&${PSQL[0]}   # warm-up
  t0=$(awk '{print $14+$15}' /proc/$pid/stat)
  for i in $(seq 20); do echo "$SQL" >&${PSQL[1]}; read -r _ <&${PSQL[0]}; done
  t1=$(awk '{print $14+$15}' /proc/$pid/stat)
  echo "\"$q\": $(( (t1 - t0) * 1000 / $(getconf CLK_TCK) / 20 )) ms CPU per query (20 runs)"
  echo '\q' >&${PSQL[1]}; wait
done
