using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Wiki;

/// <summary>
/// Who is editing which page right now, across every app node. An editor announces itself on a
/// NOTIFY channel when it opens, every <see cref="Heartbeat"/> while open, and when it closes; each
/// node keeps what it heard and forgets sessions silent for three heartbeats (a node that died).
/// Ephemeral by design: presence is not a change, so it is not written to the events table.
/// </summary>
public sealed partial class WikiPresence(
    NpgsqlDataSource dataSource,
    [FromKeyedServices(OpsDataSources.Direct)] NpgsqlDataSource direct,
    BackgroundHealth health,
    TimeProvider clock,
    ILogger<WikiPresence> logger) : ListenLoop(direct, health, clock, logger)
{
    public const string Loop = "wiki.presence";

    public const string Channel = "ops_wiki_presence";
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, (string User, DateTimeOffset Seen)>> _pages = new();
    private readonly ConcurrentDictionary<string, (string Slug, string User)> _local = new();

    /// <summary>Raised with a slug whenever its set of editors may have changed.</summary>
    public event Action<string>? Changed;

    protected override string LoopName => Loop;

    protected override string ListenChannel => Channel;

    /// <summary>The people editing <paramref name="slug"/>, except the session asking.</summary>
    public IReadOnlyList<string> EditorsOf(string slug, string exceptSession)
    {
        if (!_pages.TryGetValue(slug, out var sessions))
        {
            return [];
        }
        var cutoff = Clock.GetUtcNow() - 3 * Heartbeat;
        return sessions.Where(s => s.Key != exceptSession && s.Value.Seen >= cutoff)
            .Select(s => s.Value.User).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    public Task JoinAsync(string session, string slug, string user)
    {
        _local[session] = (slug, user);
        return SendAsync(new Message(slug, user, session, true));
    }

    public Task LeaveAsync(string session)
    {
        return _local.TryRemove(session, out var entry) ? SendAsync(new Message(entry.Slug, entry.User, session, false)) : Task.CompletedTask;
    }

    protected override Task OnPayloadsAsync(IReadOnlyList<string> payloads, CancellationToken ct)
    {
        foreach (var payload in payloads)
        {
            Receive(payload);
        }
        return Task.CompletedTask;
    }

    /// <summary>Listens and, beside it, re-announces this node's editors every <see cref="Heartbeat"/>.</summary>
    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        var listen = base.RunAsync(stoppingToken);
        using var timer = new PeriodicTimer(Heartbeat, Clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                foreach (var (session, entry) in _local)
                {
                    await SendAsync(new Message(entry.Slug, entry.User, session, true));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await listen;
    }

    private void Receive(string payload)
    {
        Message? message;
        try
        {
            message = JsonSerializer.Deserialize<Message>(payload);
        }
        catch (JsonException)
        {
            return;
        }
        if (message is null)
        {
            return;
        }
        var sessions = _pages.GetOrAdd(message.Slug, _ => new());
        var known = sessions.ContainsKey(message.Session);
        if (message.Editing)
        {
            sessions[message.Session] = (message.User, Clock.GetUtcNow());
        }
        else
        {
            sessions.TryRemove(message.Session, out _);
        }
        if (known != message.Editing)
        {
            Changed?.Invoke(message.Slug);
        }
    }

    private async Task SendAsync(Message message)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand("SELECT pg_notify($1, $2)");
            cmd.Parameters.Add(new NpgsqlParameter { Value = Channel });
            cmd.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(message) });
            await cmd.ExecuteNonQueryAsync();
        }
        catch (Exception ex) when (ex is NpgsqlException || DatabaseFaults.IsTransient(ex))
        {
            // Presence is a courtesy: a failed announcement must never break the editor.
            LogSendFailed(Logger, ex);
        }
    }

    private sealed record Message(string Slug, string User, string Session, bool Editing);

    [LoggerMessage(LogLevel.Warning, "Announcing wiki presence failed")]
    private static partial void LogSendFailed(ILogger logger, Exception ex);
}
