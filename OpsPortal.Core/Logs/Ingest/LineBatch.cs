using System.Text;
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
public sealed class LineBatch(SourceContext source, int capacity, TimeProvider clock)
{
    private readonly List<AccessRecord> _rows = CreateRows(capacity);
    private readonly List<RejectedLine> _rejects = [];

    public SourceContext Source { get; } = source;
    public int Capacity { get; } = capacity;
    public int RowCount { get; private set; }
    public IReadOnlyList<AccessRecord> Rows => _rows;
    public IReadOnlyList<RejectedLine> Rejects => _rejects;
    public int LineCount => RowCount + _rejects.Count;
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
            var raw = line.Length > AccessWriter.MaxRawRejectLength ? line[..AccessWriter.MaxRawRejectLength] : line;
            _rejects.Add(new RejectedLine(reason, Encoding.UTF8.GetString(raw)));
        }
    }

    /// <summary>A line known to be bad before parsing (e.g. longer than the limit).</summary>
    public void Reject(string reason, ReadOnlySpan<byte> rawStart) =>
        _rejects.Add(new RejectedLine(reason, Encoding.UTF8.GetString(rawStart.Length > AccessWriter.MaxRawRejectLength
            ? rawStart[..AccessWriter.MaxRawRejectLength] : rawStart)));

    public Task WriteAsync(AccessWriter writer, CursorUpdate? cursor, CancellationToken ct) =>
        writer.WriteAsync(Source.Id, _rows, RowCount, _rejects, cursor, ct);

    public void Clear()
    {
        RowCount = 0;
        _rejects.Clear();
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
