using OpsPortal.Core.Logs.Parsing;

namespace OpsPortal.Core.Logs.Ingest;

/// <summary>What a source needs to turn raw lines into rows: its id, parser and host label.</summary>
public sealed record SourceContext(int Id, string Name, LogParser Parser, string? HostLabel);

/// <summary>
/// A reusable batch of one source's lines: parses each line into a pooled
/// <see cref="AccessRecord"/> (no allocation per line beyond the kept values) or keeps it as a
/// reject with its reason. Every pipeline — HTTP, import, file tail, syslog — fills one of these
/// and hands it to <see cref="AccessWriter"/>.
/// </summary>
/// <remarks>
/// <see cref="Capacity"/> is a soft limit: callers flush when <see cref="IsFull"/>, but a chunk of
/// input may overshoot it, so the batch grows rather than refusing lines.
/// </remarks>
/// <param name="keepRejects">How many rejected lines keep their text until <see cref="Clear"/>; the rest are counted.</param>
internal sealed class LineBatch(SourceContext source, int capacity, TimeProvider clock, int keepRejects = LineBatch.DefaultKeepRejects)
{
    public const int DefaultKeepRejects = 100;

    private readonly List<AccessRecord> _rows = CreateRows(capacity);
    private int _rejectedSinceRows;

    public SourceContext Source { get; } = source;
    public int Capacity { get; } = capacity;
    public int RowCount { get; private set; }
    public IReadOnlyList<AccessRecord> Rows => _rows;

    /// <summary>The rejects since <see cref="Clear"/> (a request's, when only rows are cleared between writes).</summary>
    public RejectSample Rejects { get; } = new(keepRejects);

    /// <summary>Lines since the rows were last cleared: what the next write covers.</summary>
    public int LineCount => RowCount + _rejectedSinceRows;
    public bool IsFull => LineCount >= Capacity;

    /// <summary>Parses one line (without its newline). Empty lines are skipped, not rejected.</summary>
    /// <param name="hostname">
    /// The host the line came from as its transport says (the syslog HOSTNAME): fills
    /// <c>hostname</c> when neither the line nor the source's host label does.
    /// </param>
    public void Add(ReadOnlySpan<byte> line, string? hostname = null)
    {
        if (line.IsEmpty || (line.Length == 1 && line[0] == (byte)'\r'))
        {
            return;
        }
        if (RowCount == _rows.Count)
        {
            _rows.Add(new AccessRecord());
        }
        var row = _rows[RowCount];
        if (Source.Parser.TryParse(line, row, out var reason))
        {
            row.Hostname ??= Source.HostLabel ?? hostname;
            if (!Source.Parser.ProvidesDate)
            {
                row.Date = clock.GetUtcNow().UtcDateTime;
            }
            RowCount++;
        }
        else
        {
            Reject(reason, line);
        }
    }

    /// <summary>A line known to be bad before parsing (e.g. longer than the limit).</summary>
    public void Reject(string reason, ReadOnlySpan<byte> rawStart)
    {
        _rejectedSinceRows++;
        if (Rejects.IsFull)
        {
            Rejects.CountOnly();
            return;
        }
        var raw = rawStart.Length > AccessWriter.MaxRawRejectLength ? rawStart[..AccessWriter.MaxRawRejectLength] : rawStart;
        Rejects.Add(new RejectedLine(reason, StorableText.FromUtf8(raw)));
    }

    public Task WriteAsync(AccessWriter writer, CursorUpdate? cursor, CancellationToken ct, bool durable = true) =>
        writer.WriteAsync(Source.Id, _rows, RowCount, Rejects, cursor, ct, durable);

    /// <summary>Forgets the rows and the rejects: the next write starts afresh.</summary>
    public void Clear()
    {
        ClearRows();
        Rejects.Clear();
    }

    /// <summary>Forgets the rows written; rejects keep adding up (one request written in several COPYs, one transaction).</summary>
    public void ClearRows()
    {
        RowCount = 0;
        _rejectedSinceRows = 0;
    }

    private static List<AccessRecord> CreateRows(int capacity)
    {
        var rows = new List<AccessRecord>(capacity);
        for (var i = 0; i < capacity; i++)
        {
            rows.Add(new AccessRecord());
        }
        return rows;
    }
}
