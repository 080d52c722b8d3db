using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Metrics.Ingest;

namespace OpsPortal.Core.Metrics.Storage;

/// <summary>
/// Writes a node's closed flush intervals to <c>metric_points</c>. One transaction per interval: it
/// records the (node, seq) pair in <c>metric_flushes</c>, copies the points and marks their minutes for
/// the rollup job. A retry of an interval whose commit was in fact done (a lost acknowledgement) finds
/// its pair and writes nothing, so every interval is written exactly once.
/// </summary>
public sealed class MetricWriter(NpgsqlDataSource dataSource, TimeProvider clock, IOptions<MetricsOptions> options)
{
    private static readonly TimeSpan SeriesCacheLifetime = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<(string Name, MetricKind Kind), int> _series = new();
    private readonly ConcurrentDictionary<(string Table, DateTime Start), bool> _partitions = new();
    private long _seriesCacheStarted;

    /// <summary>Returns false when the interval had been written before (a retry after a lost commit acknowledgement).</summary>
    internal async Task<bool> WriteAsync(long node, CompletedInterval interval, CancellationToken ct)
    {
        // Points older than the raw retention would land in a dropped day, and the rollup of their minute
        // would then be recomputed from them alone: only possible after a clock jump, so they are left out.
        var oldest = DateTime.SpecifyKind(clock.GetUtcNow().UtcDateTime.Date.AddDays(1 - options.Value.RawRetentionDays), DateTimeKind.Utc);
        if (interval.Points.Any(p => p.At < oldest))
        {
            interval = interval with { Points = [.. interval.Points.Where(p => p.At >= oldest)] };
        }
        if (interval.Points.Count == 0)
        {
            return true;
        }
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var ids = await SeriesIdsAsync(conn, interval.Points, ct);
        foreach (var day in interval.Points.Select(p => p.At.Date).Distinct())
        {
            if (!_partitions.ContainsKey((MetricTables.Points, day)))
            {
                await TimePartitions.EnsureAsync(conn, MetricTables.Points, day, ct);
                _partitions[(MetricTables.Points, day)] = true;
            }
        }

        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var claim = new NpgsqlCommand(
            "INSERT INTO metric_flushes (node, seq, written_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", conn, tx))
        {
            claim.Parameters.Add(new NpgsqlParameter { Value = node });
            claim.Parameters.Add(new NpgsqlParameter { Value = interval.Seq });
            claim.Parameters.Add(new NpgsqlParameter { Value = clock.GetUtcNow() });
            if (await claim.ExecuteNonQueryAsync(ct) == 0)
            {
                return false;
            }
        }
        await using (var copy = await conn.BeginBinaryImportAsync("""
            COPY metric_points (series_id, at, node, flush, count, sum, min, max, last, last_at, sketch_keys, sketch_counts)
            FROM STDIN (FORMAT BINARY)
            """, ct))
        {
            foreach (var p in interval.Points)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(ids[(p.Name, p.Kind)], NpgsqlDbType.Integer, ct);
                await copy.WriteAsync(Plain(p.At), NpgsqlDbType.Timestamp, ct);
                await copy.WriteAsync(node, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(interval.Seq, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(p.Count, NpgsqlDbType.Double, ct);
                await copy.WriteAsync(p.Sum, NpgsqlDbType.Double, ct);
                await copy.WriteAsync(p.Min, NpgsqlDbType.Double, ct);
                await copy.WriteAsync(p.Max, NpgsqlDbType.Double, ct);
                await (p.Last is { } last ? copy.WriteAsync(last, NpgsqlDbType.Double, ct) : copy.WriteNullAsync(ct));
                await (p.LastAt is { } t ? copy.WriteAsync(Plain(t), NpgsqlDbType.Timestamp, ct) : copy.WriteNullAsync(ct));
                await (p.SketchKeys is { } keys ? copy.WriteAsync(keys, NpgsqlDbType.Array | NpgsqlDbType.Integer, ct) : copy.WriteNullAsync(ct));
                await (p.SketchCounts is { } counts ? copy.WriteAsync(counts, NpgsqlDbType.Array | NpgsqlDbType.Double, ct) : copy.WriteNullAsync(ct));
            }
            await copy.CompleteAsync(ct);
        }
        await using (var mark = new NpgsqlCommand("INSERT INTO metric_rollup_dirty (minute) SELECT unnest($1::timestamp[])", conn, tx))
        {
            mark.Parameters.Add(new NpgsqlParameter
            {
                Value = interval.Points.Select(p => Minute(p.At)).Distinct().ToArray(),
                NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Timestamp,
            });
            await mark.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Forget cached partitions (after retention dropped some).</summary>
    internal void ForgetPartitions() => _partitions.Clear();

    private async Task<Dictionary<(string, MetricKind), int>> SeriesIdsAsync(NpgsqlConnection conn, IReadOnlyList<MetricPoint> points, CancellationToken ct)
    {
        // Now and then the cache starts over, so last_seen_at (names?prefix=, retention) stays roughly current.
        var now = clock.GetTimestamp();
        if (clock.GetElapsedTime(Interlocked.Read(ref _seriesCacheStarted), now) > SeriesCacheLifetime)
        {
            _series.Clear();
            Interlocked.Exchange(ref _seriesCacheStarted, now);
        }
        var ids = new Dictionary<(string, MetricKind), int>();
        var missing = new List<(string Name, MetricKind Kind)>();
        foreach (var p in points)
        {
            var key = (p.Name, p.Kind);
            if (ids.ContainsKey(key))
            {
                continue;
            }
            if (_series.TryGetValue(key, out var id))
            {
                ids[key] = id;
            }
            else
            {
                ids[key] = 0;
                missing.Add(key);
            }
        }
        if (missing.Count == 0)
        {
            return ids;
        }
        // DO NOTHING then a read, not DO UPDATE … RETURNING: that would lock rows another node may be
        // upserting at the same moment; this returns the ids whoever created them.
        // Sorted: two nodes inserting the same new names lock them in the same order, so never deadlock.
        missing.Sort((a, b) => a.Kind != b.Kind ? a.Kind.CompareTo(b.Kind) : string.CompareOrdinal(a.Name, b.Name));
        var names = missing.Select(m => m.Name).ToArray();
        var kinds = missing.Select(m => (short)m.Kind).ToArray();
        await using (var upsert = new NpgsqlCommand("""
            INSERT INTO metric_series (name, kind, created_at, last_seen_at)
            SELECT u.name, u.kind, $3, $3 FROM unnest($1::text[], $2::smallint[]) AS u(name, kind) ON CONFLICT DO NOTHING;
            """, conn))
        {
            upsert.Parameters.Add(new NpgsqlParameter { Value = names });
            upsert.Parameters.Add(new NpgsqlParameter { Value = kinds });
            upsert.Parameters.Add(new NpgsqlParameter { Value = clock.GetUtcNow() });
            await upsert.ExecuteNonQueryAsync(ct);
        }
        // Rows another node is touching right now are skipped: it sets the same time.
        await using var select = new NpgsqlCommand("""
            WITH found AS (
                SELECT s.id, s.name, s.kind FROM metric_series s JOIN unnest($1::text[], $2::smallint[]) AS u(name, kind)
                  ON s.name = u.name AND s.kind = u.kind),
            touched AS (
                UPDATE metric_series SET last_seen_at = $3
                WHERE id IN (SELECT id FROM metric_series WHERE id IN (SELECT id FROM found) ORDER BY id FOR NO KEY UPDATE SKIP LOCKED))
            SELECT id, name, kind FROM found
            """, conn);
        select.Parameters.Add(new NpgsqlParameter { Value = names });
        select.Parameters.Add(new NpgsqlParameter { Value = kinds });
        select.Parameters.Add(new NpgsqlParameter { Value = clock.GetUtcNow() });
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var key = (reader.GetString(1), (MetricKind)reader.GetInt16(2));
            ids[key] = reader.GetInt32(0);
            _series[key] = reader.GetInt32(0);
        }
        return ids;
    }

    internal static DateTime Minute(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Unspecified);

    private static DateTime Plain(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Unspecified);
}
