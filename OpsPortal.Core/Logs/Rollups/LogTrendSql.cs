namespace OpsPortal.Core.Logs.Rollups;

/// <summary>
/// DDL of the access-log trends (docs/decisions/ADR-025), called from the <c>Trends</c> migration: per
/// minute (30 days) and per hour (13 months), for all traffic and per host and per path group, the
/// requests by status class and the backend time (count, sum, min, max, a percentile sketch and its
/// p50…p99). They outlive the access rows they were computed from; <see cref="LogRollupJob"/> keeps them.
/// </summary>
public static class LogTrendSql
{
    public const string Minutes = "access_trend_minute";
    public const string Hours = "access_trend_hour";

    /// <summary>The most requested hosts and path groups kept per minute; the rest are summed under <see cref="Other"/>.</summary>
    public const int KeysPerMinute = 100;

    public const string Other = "(other)";

    private const string Columns = """
        at           timestamp without time zone NOT NULL,
        dim          text    NOT NULL,
        key          text    NOT NULL,
        requests     bigint  NOT NULL,
        status_2xx   bigint  NOT NULL,
        status_3xx   bigint  NOT NULL,
        status_4xx   bigint  NOT NULL,
        status_5xx   bigint  NOT NULL,
        status_other bigint  NOT NULL,
        timed        bigint  NOT NULL,
        time_sum     double precision NOT NULL,
        time_min     double precision,
        time_max     double precision,
        sketch_keys   integer[],
        sketch_counts double precision[],
        p50          double precision,
        p90          double precision,
        p95          double precision,
        p99          double precision,
        -- One panel reads one (dim, key) over a range: the key's rows lie together in the index, which
        -- also holds every number but the sketch, so a panel at the table's own step is an index-only scan.
        PRIMARY KEY (dim, key, at) INCLUDE (requests, status_2xx, status_3xx, status_4xx, status_5xx, status_other,
                                            timed, time_sum, time_min, time_max, p50, p90, p95, p99)
        """;

    public const string Up = $$"""
        -- The group of a path for trends: up to its first two segments, cut before the first segment that
        -- looks like an id or a file (all digits, 8+ hex characters or dashes, or containing a dot), without
        -- the query string: /api/orders/123?x=1 → /api/orders, /static/js/app.3f9a.js → /static/js,
        -- /users/42/profile → /users, /index.html → /.
        CREATE FUNCTION access_path_group(path text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
            SELECT CASE WHEN path IS NULL THEN NULL ELSE coalesce(nullif(substring(split_part(path, '?', 1)
                FROM '^((?:/(?=[^/])(?![0-9]+(?:/|$))(?![^/]*\.)(?![0-9a-fA-F-]{8,}(?:/|$))[^/]*){0,2})'), ''), '/') END
        $$;

        -- dim '' key '': every request; dim 'host' (key: hostname, '' when unknown); dim 'path' (key: the
        -- path group). Per minute and dim the 100 busiest keys, the others summed under '(other)'.
        CREATE TABLE access_trend_minute ({{Columns}}) PARTITION BY RANGE (at);
        CREATE TABLE access_trend_hour ({{Columns}}) PARTITION BY RANGE (at);

        -- Every minute of the access table gets its trend rows the next time LogRollupJob runs.
        INSERT INTO access_rollup_dirty (minute) SELECT DISTINCT date_trunc('minute', date) FROM access;
        """;

    public const string Down = """
        DROP TABLE IF EXISTS access_trend_hour;
        DROP TABLE IF EXISTS access_trend_minute;
        DROP FUNCTION IF EXISTS access_path_group(text);
        """;
}
