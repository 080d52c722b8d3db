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
    /// <summary>
    /// Rows on screen. Each row is a component whose two render trees cost ~7 KB on the server: at 1,000
    /// rows (plus the search's 100 below) a page held ~21 MB while open; at 200, ~5 MB (issue 14.6,
    /// bench/live-tail/pages.sh). A person follows the newest lines; older ones are a search away.
    /// </summary>
    public const int DefaultCapacity = 200;

    public int Capacity => capacity;

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
