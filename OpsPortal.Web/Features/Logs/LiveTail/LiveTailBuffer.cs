using OpsPortal.Core.Logs.Search;


namespace OpsPortal.Web.Features.Logs.LiveTail;

/// <summary>
/// What a live tail shows: at most <c>capacity</c> rows, newest first, plus lines received but not yet
/// shown (while paused, or between renders). A line that can never be shown because newer ones
/// pushed it out of the waiting queue is counted in <see cref="Skipped"/>, never dropped silently.
/// Lines that were shown and later scroll out of the capped list are not "skipped".
/// Not thread-safe: the component touches it on its renderer's context only.
/// </summary>
public sealed class LiveTailBuffer(int capacity = LiveTailBuffer.DefaultCapacity)
{
    public const int DefaultCapacity = 1_000;

    private readonly List<LogRow> _shown = [];
    private readonly Queue<LogRow> _waiting = new();

    public IReadOnlyList<LogRow> Rows => _shown;

    /// <summary>Received, not yet shown.</summary>
    public int Waiting => _waiting.Count;

    public long Skipped { get; private set; }

    public long Received { get; private set; }

    public bool Paused { get; set; }

    /// <summary>Rows oldest first, as the reader sends them; <paramref name="skipped"/> were never sent.</summary>
    public void Add(IReadOnlyList<LogRow> rows, long skipped)
    {
        ArgumentNullException.ThrowIfNull(rows);
        Skipped += skipped;
        Received += rows.Count + skipped;
        foreach (var row in rows)
        {
            _waiting.Enqueue(row);
            if (_waiting.Count > capacity)
            {
                _waiting.Dequeue();
                Skipped++;
            }
        }
    }

    /// <summary>Moves waiting rows on screen unless paused; true when something changed.</summary>
    public bool Flush()
    {
        if (Paused || _waiting.Count == 0)
        {
            return false;
        }
        var fresh = _waiting.Reverse().ToList();
        _waiting.Clear();
        _shown.InsertRange(0, fresh);
        if (_shown.Count > capacity)
        {
            _shown.RemoveRange(capacity, _shown.Count - capacity);
        }
        return true;
    }

    public void Clear()
    {
        _shown.Clear();
        _waiting.Clear();
        (Skipped, Received) = (0, 0);
    }
}
