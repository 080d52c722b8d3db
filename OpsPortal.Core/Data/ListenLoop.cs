using Microsoft.Extensions.Logging;
using Npgsql;

namespace OpsPortal.Core.Data;

/// <summary>
/// A <see cref="BackgroundLoop"/> that LISTENs on one channel through <see cref="PostgresListener"/>:
/// reconnects by itself, and reports each failure and each new LISTEN to <see cref="BackgroundHealth"/>.
/// The LISTEN connection comes from the direct pool (<see cref="OpsDataSources.Direct"/>): a pooler in
/// transaction mode cannot hold one.
/// </summary>
public abstract class ListenLoop(NpgsqlDataSource listenSource, BackgroundHealth health, TimeProvider clock, ILogger logger)
    : BackgroundLoop(health, clock, logger)
{
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the first LISTEN is in place (tests and start-up checks wait on it).</summary>
    public Task Listening => _listening.Task;

    protected abstract string ListenChannel { get; }

    /// <summary>Handles the payloads that arrived together; throwing drops and re-opens the connection.</summary>
    protected abstract Task OnPayloadsAsync(IReadOnlyList<string> payloads, CancellationToken ct);

    /// <summary>After each (re)connect: notices sent while the connection was down are lost, so catch up here if it matters. Must not throw.</summary>
    protected virtual void OnListening(CancellationToken stoppingToken)
    {
    }

    protected override Task RunAsync(CancellationToken stoppingToken) =>
        PostgresListener.RunAsync(listenSource, ListenChannel, OnPayloadsAsync, () =>
        {
            _listening.TrySetResult();
            MarkHealthy();
            OnListening(stoppingToken);
        }, MarkFailed, Logger, stoppingToken);
}
