namespace OpsPortal.Core.Logs.Rollups;

/// <summary>
/// DDL of the per-minute rollups of <c>access</c> (docs/decisions/ADR-009), called from the
/// <c>LogRollups</c> migration. Not EF entities: written by one SQL statement per batch of minutes,
/// read by <see cref="Search.LogStatistics"/> and <see cref="Search.LogCharts"/>.
/// </summary>
public static class LogRollupSql
{
    public const string Up = """
        -- A minute whose rows changed since it was last rolled up. The writer adds one row per minute
        -- of each batch in the batch's own transaction; LogRollupJob deletes exactly the rows it read.
        -- No uniqueness on purpose: a writer must never block on, or lose its mark to, another's.
        CREATE TABLE access_rollup_dirty (
            id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            minute timestamp without time zone NOT NULL
        );
        CREATE INDEX access_rollup_dirty_minute_idx ON access_rollup_dirty (minute);

        -- Requests per minute by status class.
        CREATE TABLE access_rollup_minute (
            minute       timestamp without time zone PRIMARY KEY,
            requests     bigint NOT NULL,
            status_2xx   bigint NOT NULL,
            status_3xx   bigint NOT NULL,
            status_4xx   bigint NOT NULL,
            status_5xx   bigint NOT NULL,
            status_other bigint NOT NULL
        );

        -- Requests per minute and value of status, hostname and method (every value; value is text).
        CREATE TABLE access_rollup_value (
            minute timestamp without time zone NOT NULL,
            field  text   NOT NULL,
            value  text,
            count  bigint NOT NULL
        );
        CREATE INDEX access_rollup_value_field_minute_idx ON access_rollup_value (field, minute) INCLUDE (value, count);

        -- Paths by hour, not minute: ids in paths make most paths one-offs, and a minute's one-offs tie
        -- with a popular path's single request that minute, so no bounded per-minute list stays exact.
        -- An hour keeps its most requested paths; every path with more than path_rest_max requests in
        -- the hour is in access_rollup_path (0: every path of the hour is there).
        CREATE TABLE access_rollup_hour (
            hour          timestamp without time zone PRIMARY KEY,
            requests      bigint  NOT NULL,
            path_rest_max integer NOT NULL
        );
        CREATE TABLE access_rollup_path (
            hour  timestamp without time zone NOT NULL,
            path  text,
            count bigint NOT NULL
        );
        CREATE INDEX access_rollup_path_hour_idx ON access_rollup_path (hour) INCLUDE (path, count);

        -- Rows already in the table have never been rolled up: until the job has done them, searches
        -- read those minutes from access as before.
        INSERT INTO access_rollup_dirty (minute) SELECT DISTINCT date_trunc('minute', date) FROM access;
        """;

    public const string Down = """
        DROP TABLE IF EXISTS access_rollup_path;
        DROP TABLE IF EXISTS access_rollup_hour;
        DROP TABLE IF EXISTS access_rollup_value;
        DROP TABLE IF EXISTS access_rollup_minute;
        DROP TABLE IF EXISTS access_rollup_dirty;
        """;
}
