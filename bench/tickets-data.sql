-- Bench data for tickets (issue 5): :tickets tickets and :comments comments with realistic shapes.
-- Deterministic (setseed). Words come from an ops vocabulary, so full-text queries hit as in real use;
-- 'segfault' is rare (~0.1 % of comments) to time a selective search too.
SELECT setseed(0.42);
CREATE OR REPLACE FUNCTION pg_temp.words(k int) RETURNS text LANGUAGE sql VOLATILE AS $$
  SELECT string_agg(w[1 + floor(random() * array_length(w, 1))::int], ' ')
  FROM (SELECT string_to_array('database connection pool exhausted timeout latency checkout payment deploy rollback certificate expired disk full memory leak cpu spike nginx upstream error gateway cache redis queue backlog worker crash restart config drift dns resolution failure replica lag backup restore migration index bloat vacuum lock contention kafka consumer rebalance login sso token refresh rate limit cdn purge tls handshake kernel patch firewall rule balancer health check alert flapping cron job missed the a to of on after since users report slow page service host web api db node cluster region primary secondary', ' ') AS w) v,
       generate_series(1, k)
$$;

INSERT INTO tickets (number, key, title, description, type, status, priority, assignee, reporter, labels, service, due_date,
                     created_at, updated_at, resolved_at, row_version)
SELECT n, 'OPS-' || n,
       initcap(pg_temp.words(3 + (random() * 5)::int)),
       pg_temp.words(20 + (random() * 60)::int),
       (ARRAY['Task','Bug','Change','Deploy','Incident','Alert'])[1 + floor(random() * 6)::int],
       CASE WHEN r < 0.15 THEN 'Open' WHEN r < 0.25 THEN 'InProgress' WHEN r < 0.30 THEN 'Blocked' WHEN r < 0.50 THEN 'Resolved' ELSE 'Closed' END,
       (ARRAY['P1','P2','P2','P3','P3','P3','P4','P4'])[1 + floor(random() * 8)::int],
       CASE WHEN random() < 0.2 THEN NULL ELSE 'user' || (1 + floor(random() * 20)::int) || '@example.com' END,
       'user' || (1 + floor(random() * 20)::int) || '@example.com',
       (SELECT coalesce(array_agg(DISTINCT l), '{}') FROM (SELECT (ARRAY['db','web','network','security','on-call','customer','infra','cost','tech-debt','flaky','p95','tls','dns','kafka','release'])[1 + floor(random() * 15)::int] AS l
                                                   FROM generate_series(1, floor(random() * 4)::int) WHERE n > 0) x),
       (ARRAY['web','api','checkout','payments','search','auth','db','cache','queue','cdn','mail','billing'])[1 + floor(random() * 12)::int],
       CASE WHEN random() < 0.3 THEN current_date + (random() * 60 - 20)::int END,
       created, created + random() * interval '30 days', NULL, 1 + floor(random() * 5)::int
FROM (SELECT n, random() AS r, now() - random() * interval '730 days' AS created FROM generate_series(1, :tickets) n) t;

UPDATE tickets SET resolved_at = updated_at WHERE status IN ('Resolved', 'Closed');
SELECT setval('ticket_numbers', (SELECT max(number) FROM tickets));

INSERT INTO ticket_comments (ticket_id, author, body, created_at)
SELECT 1 + floor(random() * :tickets)::int,
       'user' || (1 + floor(random() * 20)::int) || '@example.com',
       pg_temp.words(10 + (random() * 40)::int) || CASE WHEN random() < 0.001 THEN ' segfault' ELSE '' END,
       now() - random() * interval '700 days'
FROM generate_series(1, :comments) c;

VACUUM ANALYZE tickets;
VACUUM ANALYZE ticket_comments;
-- The search documents (ADR-015) were built by the triggers as the rows went in.
VACUUM ANALYZE ticket_search;
