using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Logs.Sources;

public sealed record SourceStatus(LogSource Source, double LinesPerSecond, long? BytesBehind);

/// <summary>
/// What the Sources page shows. Rates come from the change in the stored totals between two
/// reads, so they are right whichever app node did the ingesting.
/// </summary>
public sealed class SourceStats(IDbContextFactory<OpsDbContext> dbFactory, TimeProvider clock)
{
    private Dictionary<int, (long Lines, DateTimeOffset At)> _previous = [];

    public async Task<List<SourceStatus>> ReadAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var sources = await db.LogSources.AsNoTracking().OrderBy(s => s.Name).ToListAsync(ct);
        var cursors = await db.LogFileCursors.AsNoTracking().ToDictionaryAsync(c => c.SourceId, ct);
        var now = clock.GetUtcNow();
        var current = new Dictionary<int, (long, DateTimeOffset)>();
        var result = new List<SourceStatus>(sources.Count);
        foreach (var s in sources)
        {
            var lines = s.AcceptedTotal + s.RejectedTotal;
            current[s.Id] = (lines, now);
            var rate = _previous.TryGetValue(s.Id, out var before) && now > before.At
                ? Math.Max(0, lines - before.Lines) / (now - before.At).TotalSeconds
                : 0;
            result.Add(new SourceStatus(s, rate, BytesBehind(s, cursors.GetValueOrDefault(s.Id))));
        }
        _previous = current;
        return result;
    }

    /// <summary>For a tailed file: how much of it is not read yet (as seen from this node).</summary>
    private static long? BytesBehind(LogSource source, LogFileCursor? cursor)
    {
        if (source.Kind != LogSourceKind.File || source.Path is null || !File.Exists(source.Path))
        {
            return null;
        }
        var length = new FileInfo(source.Path).Length;
        return cursor is null ? length : Math.Max(0, length - cursor.Offset);
    }
}
