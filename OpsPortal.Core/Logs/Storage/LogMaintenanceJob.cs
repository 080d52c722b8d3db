using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Logs.Ingest;
using OpsPortal.Core.Logs.Rollups;
using OpsPortal.Core.Logs.Sources;

namespace OpsPortal.Core.Logs.Storage;

/// <param name="WaitingForRollup">Days past the retention kept because minutes of them are not rolled up yet.</param>
/// <param name="TrendsDropped">Trend partitions past their own retention (ADR-025).</param>
public sealed record MaintenanceResult(
    IReadOnlyList<DateOnly> Created, IReadOnlyList<DateOnly> Dropped, int RejectsPurged, PathIndexResult PathIndexes,
    IReadOnlyList<DateOnly>? WaitingForRollup = null, IReadOnlyList<string>? TrendsDropped = null);

/// <summary>
/// Every 15 minutes (JobsSetup): creates the coming days' partitions, drops those past the retention,
/// builds the trigram indexes on <c>path</c> for closed days and today's closed hours and quarters
/// (<see cref="PathIndexes"/>), and purges old rejects and expired <c>Idempotency-Key</c>s. A day with
/// minutes the rollup job has not done yet is kept until it has, so dropping access rows never changes the
/// trends, which it keeps for their own retention (minutes 30 days, hours 13 months; ADR-025). Idempotent,
/// so every node may run it.
/// </summary>
public sealed partial class LogMaintenanceJob(
    [FromKeyedServices(OpsDataSources.Direct)] NpgsqlDataSource dataSource,
    IDbContextFactory<OpsDbContext> dbFactory,
    AccessWriter writer,
    EventLog events,
    TimeProvider clock,
    IOptions<LogsOptions> options,
    ILogger<LogMaintenanceJob> logger)
{
    private const string Dirty = "access_rollup_dirty";

    public async Task<MaintenanceResult> RunAsync(CancellationToken ct)
    {
        var o = options.Value;
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var created = new List<DateOnly>();
        var dropped = new List<DateOnly>();
        var waiting = new List<DateOnly>();
        List<string> trendsDropped;
        PathIndexResult indexed;

        await using (var conn = await dataSource.OpenConnectionAsync(ct))
        {
            for (var day = today; day <= today.AddDays(o.PartitionsAhead); day = day.AddDays(1))
            {
                if (await AccessTable.EnsurePartitionAsync(conn, day, ct))
                {
                    created.Add(day);
                }
            }
            var oldestKept = today.AddDays(-o.RetentionDays + 1);
            foreach (var day in await AccessTable.ListPartitionsAsync(conn, ct))
            {
                if (day >= oldestKept)
                {
                    continue;
                }
                var start = day.ToDateTime(TimeOnly.MinValue);
                if (await TimePartitions.HasDirtyMinutesAsync(conn, Dirty, start, start.AddDays(1), ct))
                {
                    waiting.Add(day);
                    LogWaitingForRollup(day);
                    continue;
                }
                await AccessTable.DropPartitionAsync(conn, day, ct);
                dropped.Add(day);
            }
            // The search rollups of a day go with its rows; a day still waiting keeps both, and its marks.
            await DropRollupsBeforeAsync(conn, waiting.Count > 0 ? waiting.Min() : oldestKept, ct);
            trendsDropped = await KeepTrendsAsync(conn, today, o, ct);
            indexed = await PathIndexes.BuildAsync(conn, clock.GetUtcNow().UtcDateTime, ct);
        }
        if (dropped.Count > 0)
        {
            writer.ForgetPartitions();
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rejectCutoff = clock.GetUtcNow().AddDays(-o.RejectRetentionDays);
        var purged = await db.LogRejects.Where(r => r.ReceivedAt < rejectCutoff).ExecuteDeleteAsync(ct);
        var keyCutoff = clock.GetUtcNow() - o.IdempotencyKeyRetention;
        await db.LogIngestKeys.Where(k => k.CreatedAt < keyCutoff).ExecuteDeleteAsync(ct);
        if (dropped.Count > 0)
        {
            events.Append(db, Actor.System("logs").Name, LogsEventKinds.PartitionsDropped, LogsEventKinds.AccessSubject, "retention",
                $"Dropped {dropped.Count} day(s) of access logs older than {o.RetentionDays} days ({dropped[0]:yyyy-MM-dd} … {dropped[^1]:yyyy-MM-dd})",
                payload: new { days = dropped.Select(d => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)) });
            await db.SaveChangesAsync(ct);
        }
        return new MaintenanceResult(created, dropped, purged, indexed, waiting, trendsDropped);
    }

    /// <summary>Trend partitions ahead, and those past the trends' own retention dropped.</summary>
    private static async Task<List<string>> KeepTrendsAsync(NpgsqlConnection conn, DateOnly today, LogsOptions o, CancellationToken ct)
    {
        var day = today.ToDateTime(TimeOnly.MinValue);
        for (var ahead = 0; ahead <= o.PartitionsAhead; ahead++)
        {
            await TimePartitions.EnsureAsync(conn, LogTrendSql.Minutes, day.AddDays(ahead), ct);
            await TimePartitions.EnsureAsync(conn, LogTrendSql.Hours, day.AddDays(ahead), ct);
        }
        var minutes = await TimePartitions.DropOlderAsync(conn, LogTrendSql.Minutes, day.AddDays(1 - o.TrendMinuteRetentionDays),
            (start, end) => TimePartitions.HasDirtyMinutesAsync(conn, Dirty, start, end, ct), ct);
        var hours = await TimePartitions.DropOlderAsync(conn, LogTrendSql.Hours, day.AddMonths(-o.TrendHourRetentionMonths),
            (start, end) => TimePartitions.HasDirtyMinutesAsync(conn, Dirty, start, end, ct), ct);
        return [.. minutes.Dropped, .. hours.Dropped];
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Access logs of {Day} are past the retention but kept: minutes of that day are not rolled up yet (is RunIngestion off on every node?)")]
    private partial void LogWaitingForRollup(DateOnly day);

    // The rollups of dropped days would otherwise still count rows that no longer exist.
    private static async Task DropRollupsBeforeAsync(NpgsqlConnection conn, DateOnly oldestKept, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            DELETE FROM access_rollup_minute WHERE minute < @day;
            DELETE FROM access_rollup_value WHERE minute < @day;
            DELETE FROM access_rollup_dirty WHERE minute < @day;
            DELETE FROM access_rollup_hour WHERE hour < @day;
            DELETE FROM access_rollup_path WHERE hour < @day;
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter("day", NpgsqlTypes.NpgsqlDbType.Timestamp) { Value = oldestKept.ToDateTime(TimeOnly.MinValue) });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
