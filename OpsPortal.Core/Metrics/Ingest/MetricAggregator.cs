using System.Text;

namespace OpsPortal.Core.Metrics.Ingest;

/// <summary>
/// Aggregates parsed lines in memory, per flush interval (wall-clock aligned, e.g. :00, :10, :20 …).
/// A value counts in the interval it arrived in; the interval is closed when the first value of a later
/// one arrives or <see cref="TakeCompleted"/> sees its end passed, so a slow database never stretches an
/// interval. Gauges keep their current value across intervals (a <c>+</c>/<c>-</c> change applies to it),
/// as Etsy's daemon does; a node's gauges are its own. Not thread-safe: <see cref="MetricIngest"/> locks.
/// </summary>
internal sealed class MetricAggregator(TimeSpan interval, int maxSeriesPerInterval)
{
    public const int MaxSetMembers = 100_000;

    private readonly Dictionary<string, double> _gauges = new(StringComparer.Ordinal);
    private readonly Queue<CompletedInterval> _completed = new();
    private Bucket _current = new(DateTime.MinValue);
    private long _seq;

    public int Completed => _completed.Count;

    /// <summary>Adds the values of one parsed StatsD line received at <paramref name="now"/> (UTC).</summary>
    public MetricLineError AddStatsd(ReadOnlySpan<char> name, ReadOnlySpan<StatsdValue> values, ReadOnlySpan<byte> line, DateTime now)
    {
        var bucket = BucketFor(now);
        // All or nothing: the series cap is checked for every value before any is applied.
        foreach (var v in values)
        {
            if (!bucket.Has(v.Kind, name) && bucket.Series >= maxSeriesPerInterval)
            {
                return MetricLineError.TooManySeries;
            }
        }
        foreach (var v in values)
        {
            var acc = bucket.Get(v.Kind, name);
            switch (v.Kind)
            {
                case MetricKind.Counter:
                    acc.AddWeighted(v.Value, 1 / v.SampleRate);
                    break;
                case MetricKind.Timer:
                    acc.AddWeighted(v.Value, 1 / v.SampleRate);
                    (acc.Sketch ??= new Sketch()).Add(v.Value, 1 / v.SampleRate);
                    break;
                case MetricKind.Gauge:
                    var lookup = _gauges.GetAlternateLookup<ReadOnlySpan<char>>();
                    var current = v.IsDelta && lookup.TryGetValue(name, out var old) ? old + v.Value : v.Value;
                    lookup[name] = current;
                    acc.AddSample(current, now);
                    break;
                case MetricKind.Set:
                    var members = acc.Members ??= new HashSet<string>(StringComparer.Ordinal);
                    if (members.Count < MaxSetMembers)
                    {
                        members.Add(Encoding.UTF8.GetString(line.Slice(v.MemberStart, v.MemberLength)));
                    }
                    break;
            }
        }
        return MetricLineError.None;
    }

    /// <summary>A Graphite point: a gauge sample at its own time (<paramref name="at"/>), in the flush interval it falls in.</summary>
    public MetricLineError AddGauge(ReadOnlySpan<char> name, double value, DateTime at, DateTime now)
    {
        var bucket = BucketFor(now);
        var start = Floor(at);
        if (!bucket.HasTimed(start, name) && bucket.Series >= maxSeriesPerInterval)
        {
            return MetricLineError.TooManySeries;
        }
        bucket.GetTimed(start, name).AddSample(value, at);
        return MetricLineError.None;
    }

    /// <summary>Closes the current interval if <paramref name="now"/> is past it, and hands over every closed one, oldest first.</summary>
    public List<CompletedInterval> TakeCompleted(DateTime now, bool all = false)
    {
        if (all || Floor(now) > _current.Start)
        {
            Close(Floor(now) > _current.Start ? Floor(now) : _current.Start);
        }
        var list = new List<CompletedInterval>(_completed.Count);
        while (_completed.TryDequeue(out var done))
        {
            list.Add(done);
        }
        return list;
    }

    private Bucket BucketFor(DateTime now)
    {
        var start = Floor(now);
        if (start > _current.Start)
        {
            Close(start);
        }
        // A clock step backwards keeps filling the current interval rather than reopening a closed one.
        return _current;
    }

    private void Close(DateTime next)
    {
        if (_current.Series > 0)
        {
            _completed.Enqueue(new CompletedInterval(++_seq, _current.Start, _current.ToPoints()));
        }
        _current = new Bucket(next);
    }

    internal DateTime Floor(DateTime t) => new(t.Ticks - t.Ticks % interval.Ticks, DateTimeKind.Utc);

    private sealed class Accumulator
    {
        public double Count;
        public double Sum;
        public double Min = double.PositiveInfinity;
        public double Max = double.NegativeInfinity;
        public double Last;
        public DateTime LastAt;
        public Sketch? Sketch;
        public HashSet<string>? Members;

        public void AddWeighted(double value, double weight)
        {
            Count += weight;
            Sum += value * weight;
            Min = Math.Min(Min, value);
            Max = Math.Max(Max, value);
        }

        public void AddSample(double value, DateTime at)
        {
            Count++;
            Sum += value;
            Min = Math.Min(Min, value);
            Max = Math.Max(Max, value);
            if (at >= LastAt)
            {
                Last = value;
                LastAt = at;
            }
        }
    }

    private sealed class Bucket(DateTime start)
    {
        private readonly Dictionary<string, Accumulator>[] _byKind =
            [.. Enumerable.Range(0, 5).Select(_ => new Dictionary<string, Accumulator>(StringComparer.Ordinal))];
        private readonly Dictionary<(DateTime, string), Accumulator> _timed = [];

        public DateTime Start { get; } = start;

        public int Series { get; private set; }

        public bool Has(MetricKind kind, ReadOnlySpan<char> name) =>
            _byKind[(int)kind].GetAlternateLookup<ReadOnlySpan<char>>().ContainsKey(name);

        public Accumulator Get(MetricKind kind, ReadOnlySpan<char> name)
        {
            var lookup = _byKind[(int)kind].GetAlternateLookup<ReadOnlySpan<char>>();
            if (!lookup.TryGetValue(name, out var acc))
            {
                acc = new Accumulator();
                lookup[name] = acc;
                Series++;
            }
            return acc;
        }

        public bool HasTimed(DateTime at, ReadOnlySpan<char> name) => _timed.ContainsKey((at, name.ToString()));

        public Accumulator GetTimed(DateTime at, ReadOnlySpan<char> name)
        {
            var key = (at, name.ToString());
            if (!_timed.TryGetValue(key, out var acc))
            {
                _timed[key] = acc = new Accumulator();
                Series++;
            }
            return acc;
        }

        public List<MetricPoint> ToPoints()
        {
            var points = new List<MetricPoint>(Series);
            for (var k = 1; k < _byKind.Length; k++)
            {
                var kind = (MetricKind)k;
                foreach (var (name, a) in _byKind[k])
                {
                    points.Add(kind switch
                    {
                        MetricKind.Counter => new MetricPoint(name, kind, Start, a.Count, a.Sum, a.Min, a.Max, null, null, null, null),
                        MetricKind.Timer => Timer(name, a),
                        MetricKind.Gauge => new MetricPoint(name, kind, Start, a.Count, a.Sum, a.Min, a.Max, a.Last, a.LastAt, null, null),
                        _ => new MetricPoint(name, kind, Start, 1, a.Members!.Count, a.Members.Count, a.Members.Count, a.Members.Count, Start, null, null),
                    });
                }
            }
            foreach (var ((at, name), a) in _timed)
            {
                points.Add(new MetricPoint(name, MetricKind.Gauge, at, a.Count, a.Sum, a.Min, a.Max, a.Last, a.LastAt, null, null));
            }
            return points;
        }

        private MetricPoint Timer(string name, Accumulator a)
        {
            var (keys, counts) = a.Sketch!.ToArrays();
            return new MetricPoint(name, MetricKind.Timer, Start, a.Count, a.Sum, a.Min, a.Max, null, null, keys, counts);
        }
    }
}
