using System.Collections.Concurrent;

namespace OpsPortal.Tests.Infrastructure;

/// <summary>
/// Records the exceptions thrown (caught or not) in the async flows started through <see cref="WatchAsync"/>,
/// and only those: tests running in parallel throw their own. For asserting that a normal path uses no
/// exceptions for control flow.
/// </summary>
public sealed class FirstChanceExceptions : IDisposable
{
    private static readonly AsyncLocal<FirstChanceExceptions?> Watching = new();
    private readonly ConcurrentQueue<Exception> _seen = new();

    public FirstChanceExceptions() => AppDomain.CurrentDomain.FirstChanceException += OnException;

    public IReadOnlyCollection<Exception> Seen => _seen;

    /// <summary>Starts <paramref name="start"/>; it and everything it starts (tasks, continuations) are watched.</summary>
    public async Task WatchAsync(Func<Task> start)
    {
        Watching.Value = this; // flows into what start() begins, not back to the caller
        await start();
    }

    public void Dispose() => AppDomain.CurrentDomain.FirstChanceException -= OnException;

    private void OnException(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
    {
        if (Watching.Value == this)
        {
            _seen.Enqueue(e.Exception);
        }
    }
}
