namespace OpsPortal.Core.Logs.Ingest;

/// <summary>
/// The rejected lines of one request or batch: the first <see cref="Keep"/> with their text, and a
/// count of all of them. A body of a million junk lines is counted, not stored a million times
/// (issue 13.3); <see cref="AccessTransaction"/> also caps what is stored per source and hour.
/// </summary>
internal sealed class RejectSample(int keep)
{
    private readonly List<RejectedLine> _kept = [];

    public int Keep { get; } = keep;

    /// <summary>The first rejects, in the order they came.</summary>
    public IReadOnlyList<RejectedLine> Kept => _kept;

    /// <summary>Every reject, kept or not.</summary>
    public long Count { get; private set; }

    internal void Add(RejectedLine line)
    {
        Count++;
        if (_kept.Count < Keep)
        {
            _kept.Add(line);
        }
    }

    /// <summary>True when the next reject would only be counted: callers may skip building its text.</summary>
    public bool IsFull => _kept.Count >= Keep;

    internal void CountOnly() => Count++;

    internal void Clear()
    {
        _kept.Clear();
        Count = 0;
    }

    internal static RejectSample Of(IReadOnlyList<RejectedLine> lines)
    {
        var sample = new RejectSample(lines.Count);
        foreach (var line in lines)
        {
            sample.Add(line);
        }
        return sample;
    }
}
