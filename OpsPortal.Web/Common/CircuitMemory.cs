using Microsoft.AspNetCore.Components.Server.Circuits;

namespace OpsPortal.Web.Common;

/// <summary>
/// Gives the memory of closed circuits back to the machine (issue 14.6). A page's circuit dies with
/// nothing of it left alive, but the GC keeps the heap it grew for those pages committed until its
/// next full collection — and an idle portal, which allocates little, may not have one for many
/// minutes. So when several circuits have closed and then none for a while (the burst is over), one
/// compacting collection returns that memory. It runs at most once per burst and never while pages
/// keep closing; the pause is that of one full collection of the live heap (tens of MB here).
/// </summary>
public sealed partial class CircuitMemory(TimeProvider clock, ILogger<CircuitMemory> logger) : BackgroundService
{
    /// <summary>How many circuits must have closed since the last trim for one to be worth its pause.</summary>
    internal const int ClosedBeforeTrim = 5;

    /// <summary>How long no circuit may have closed: a burst of closing tabs is over.</summary>
    internal static readonly TimeSpan Quiet = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private int _closedSinceTrim;
    private DateTimeOffset _lastClosed;

    public int Open { get; private set; }

    internal void Opened()
    {
        lock (_gate)
        {
            Open++;
        }
    }

    internal void Closed()
    {
        lock (_gate)
        {
            Open--;
            _closedSinceTrim++;
            _lastClosed = clock.GetUtcNow();
        }
    }

    /// <summary>True once per burst: enough circuits closed, and none for <see cref="Quiet"/>. Resets the count.</summary>
    internal bool TakeTrimDue()
    {
        lock (_gate)
        {
            if (_closedSinceTrim < ClosedBeforeTrim || clock.GetUtcNow() - _lastClosed < Quiet)
            {
                return false;
            }
            _closedSinceTrim = 0;
            return true;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckEvery, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (TakeTrimDue())
            {
                var before = Environment.WorkingSet;
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                LogTrimmed(Open, before >> 20, Environment.WorkingSet >> 20);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Circuits closed; memory given back ({Open} open): working set {BeforeMb} → {AfterMb} MB")]
    private partial void LogTrimmed(int open, long beforeMb, long afterMb);

    /// <summary>Tells <see cref="CircuitMemory"/> when a circuit opens and closes; one for all circuits.</summary>
    public sealed class Counter(CircuitMemory memory) : CircuitHandler
    {
        public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            memory.Opened();
            return Task.CompletedTask;
        }

        public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            memory.Closed();
            return Task.CompletedTask;
        }
    }
}
