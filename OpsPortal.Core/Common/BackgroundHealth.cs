using System.Collections.Concurrent;

namespace OpsPortal.Core;

/// <summary>The last state of each background loop of this process, for <c>/health</c> and the pages that own the loops.</summary>
public sealed class BackgroundHealth(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, LoopState> _loops = new(StringComparer.Ordinal);

    internal void Healthy(string loop) =>
        _loops.AddOrUpdate(loop, _ => new LoopState(loop, null, null, clock.GetUtcNow(), 0),
            (_, old) => old with { Error = null, ErrorAt = null, OkAt = clock.GetUtcNow(), Failures = 0 });

    internal void Failed(string loop, Exception error) =>
        _loops.AddOrUpdate(loop, _ => new LoopState(loop, Describe(error), clock.GetUtcNow(), null, 1),
            (_, old) => old with { Error = Describe(error), ErrorAt = clock.GetUtcNow(), Failures = old.Failures + 1 });

    public IReadOnlyList<LoopState> Snapshot() => [.. _loops.Values.OrderBy(l => l.Loop, StringComparer.Ordinal)];

    public LoopState? Get(string loop) => _loops.GetValueOrDefault(loop);

    // Never a connection string, a database's error text or a stack trace on a page.
    private static string Describe(Exception error) => Faults.Describe(error);
}

/// <param name="Error">The last failure, null once the loop has worked again.</param>
/// <param name="Failures">Failures in a row.</param>
public sealed record LoopState(string Loop, string? Error, DateTimeOffset? ErrorAt, DateTimeOffset? OkAt, int Failures);
