namespace OpsPortal.Core.Metrics.Storage;

/// <summary>
/// DDL of metric storage (docs/decisions/ADR-018), called from the <c>Metrics</c> migration. Not EF
/// entities: points go in by binary COPY, rollups are computed by one SQL statement per round, and
/// reads are aggregates. Raw points and minute rollups are partitioned by day, hour rollups by month,
/// so retention drops partitions instead of deleting rows.
/// </summary>
public static class MetricsSql
{
    private const string RollupColumns = """
        series_id     integer   NOT NULL,
        at            timestamp without time zone NOT NULL,
        count         double precision NOT NULL,
        sum           double precision NOT NULL,
        min           double precision NOT NULL,
        max           double precision NOT NULL,
        last          double precision,
        last_at       timestamp without time zone,
        sketch_keys   integer[],
        sketch_counts double precision[],
        p50           double precision,
        p90           double precision,
        p95           double precision,
        p99           double precision,
        PRIMARY KEY (series_id, at)
        """;

    public const string Up = $$"""
        -- One row per metric name and kind: StatsD keeps counters, gauges, timers and sets apart.
        CREATE TABLE metric_series (
            id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name         text     NOT NULL,
            kind         smallint NOT NULL,
            created_at   timestamp with time zone NOT NULL DEFAULT now(),
            last_seen_at timestamp with time zone NOT NULL DEFAULT now(),
            CONSTRAINT metric_series_name_kind_key UNIQUE (name, kind)
        );
        -- Prefix search (names?prefix=, patterns) whatever the database's collation.
        CREATE INDEX metric_series_name_prefix_idx ON metric_series (name text_pattern_ops);

        -- One row per series, node and flush interval (at = the interval's start, UTC). count/sum/min/max
        -- per kind as MetricPoint says; last/last_at for gauges; sketch_* for timers (ADR-018).
        CREATE TABLE metric_points (
            series_id     integer   NOT NULL,
            at            timestamp without time zone NOT NULL,
            node          bigint    NOT NULL,
            flush         bigint    NOT NULL,
            count         double precision NOT NULL,
            sum           double precision NOT NULL,
            min           double precision NOT NULL,
            max           double precision NOT NULL,
            last          double precision,
            last_at       timestamp without time zone,
            sketch_keys   integer[],
            sketch_counts double precision[]
        ) PARTITION BY RANGE (at);
        CREATE INDEX metric_points_series_at_idx ON metric_points (series_id, at);

        -- Flushes already written, so a flush retried after a lost commit acknowledgement is written once.
        CREATE TABLE metric_flushes (
            node       bigint NOT NULL,
            seq        bigint NOT NULL,
            written_at timestamp with time zone NOT NULL DEFAULT now(),
            PRIMARY KEY (node, seq)
        );

        -- A minute whose points changed since it was last rolled up (as access_rollup_dirty, ADR-009).
        CREATE TABLE metric_rollup_dirty (
            id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            minute timestamp without time zone NOT NULL
        );
        CREATE INDEX metric_rollup_dirty_minute_idx ON metric_rollup_dirty (minute);

        -- Every node combined: counts and sums add, last is the latest last_at's, sketches merge;
        -- p50 … p99 from the merged sketch, for panels whose step is the rollup's own.
        CREATE TABLE metric_rollup_minute ({{RollupColumns}}) PARTITION BY RANGE (at);
        CREATE TABLE metric_rollup_hour ({{RollupColumns}}) PARTITION BY RANGE (at);

        -- Each node's listeners and counters, written with every flush (GET /api/metrics/listeners).
        CREATE TABLE metric_nodes (
            node          bigint PRIMARY KEY,
            host          text    NOT NULL,
            started_at    timestamp with time zone NOT NULL,
            seen_at       timestamp with time zone NOT NULL,
            statsd_port   integer,
            graphite_port integer,
            lines         bigint  NOT NULL,
            bad_lines     bigint  NOT NULL,
            dropped_intervals bigint NOT NULL,
            pending_intervals integer NOT NULL,
            bad_by_reason jsonb   NOT NULL,
            recent_bad    jsonb   NOT NULL
        );

        -- Creates one partition of metric_points, metric_rollup_minute (daily) or metric_rollup_hour
        -- (monthly) unless it exists; safe to race from several nodes (as access_ensure_partition).
        CREATE FUNCTION metric_ensure_partition(parent text, lo timestamp) RETURNS boolean LANGUAGE plpgsql AS $$
        DECLARE
            monthly boolean := parent = 'metric_rollup_hour';
            first timestamp := CASE WHEN monthly THEN date_trunc('month', lo) ELSE date_trunc('day', lo) END;
            part text := parent || '_p' || to_char(first, CASE WHEN monthly THEN 'YYYYMM' ELSE 'YYYYMMDD' END);
        BEGIN
            IF parent NOT IN ('metric_points', 'metric_rollup_minute', 'metric_rollup_hour') THEN
                RAISE EXCEPTION 'not a metric table: %', parent;
            END IF;
            IF to_regclass(part) IS NOT NULL THEN
                RETURN false;
            END IF;
            PERFORM pg_advisory_xact_lock(hashtext('opsportal.metric_partitions'));
            EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', part, parent, first,
                           first + CASE WHEN monthly THEN interval '1 month' ELSE interval '1 day' END);
            RETURN true;
        EXCEPTION WHEN duplicate_table OR unique_violation THEN
            RETURN false;
        END
        $$;

        -- The sketch's bucket of a value and a bucket's value: Sketch.KeyOf / Sketch.ValueOf in C#, the
        -- same arithmetic in the same order (a test compares them).
        CREATE FUNCTION metric_sketch_key(v double precision) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT CASE WHEN abs(v) < 1e-9::float8 THEN 0
                        WHEN v < 0 THEN -(ceil(ln(abs(v) / 1e-9::float8) / ln(1.01::float8 / 0.99::float8))::integer + 1)
                        ELSE ceil(ln(v / 1e-9::float8) / ln(1.01::float8 / 0.99::float8))::integer + 1 END
        $$;
        CREATE FUNCTION metric_sketch_value(k integer) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT CASE WHEN k = 0 THEN 0::float8
                        ELSE sign(k)::float8 * (1e-9::float8 * 2 * power(1.01::float8 / 0.99::float8, abs(k) - 1)
                                                / (1.01::float8 / 0.99::float8 + 1)) END
        $$;
        -- Values at quantiles qs: for each q, the bucket holding rank q·(N − 1) from the smallest (Sketch.Quantile).
        CREATE FUNCTION metric_sketch_quantiles(keys integer[], counts double precision[], qs double precision[])
        RETURNS double precision[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            WITH w AS (SELECT k, sum(c) OVER (ORDER BY k) AS seen, sum(c) OVER () AS total
                       FROM unnest(keys, counts) AS u(k, c))
            SELECT array(SELECT (SELECT metric_sketch_value(w.k) FROM w
                                 WHERE w.seen > x.q * greatest(w.total - 1, 0) ORDER BY w.k LIMIT 1)
                         FROM unnest(qs) WITH ORDINALITY AS x(q, i) ORDER BY x.i)
        $$;
        """;

    public const string Down = """
        DROP FUNCTION IF EXISTS metric_sketch_quantiles(integer[], double precision[], double precision[]);
        DROP FUNCTION IF EXISTS metric_sketch_value(integer);
        DROP FUNCTION IF EXISTS metric_sketch_key(double precision);
        DROP FUNCTION IF EXISTS metric_ensure_partition(text, timestamp);
        DROP TABLE IF EXISTS metric_nodes;
        DROP TABLE IF EXISTS metric_rollup_hour;
        DROP TABLE IF EXISTS metric_rollup_minute;
        DROP TABLE IF EXISTS metric_rollup_dirty;
        DROP TABLE IF EXISTS metric_flushes;
        DROP TABLE IF EXISTS metric_points;
        DROP TABLE IF EXISTS metric_series;
        """;
}
