using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.OnCall.Paging;

/// <summary>
/// Moves unacknowledged pages on, on every node. Each escalation is one transaction that takes the due page's row
/// with <c>FOR UPDATE SKIP LOCKED</c>, queues the next level's notifications and moves <see cref="Page.NextEscalationAt"/>
/// on: another node skips the locked row and, once it commits, no longer finds it due, so each step happens exactly
/// once. Everything is in the database: a restart or a database outage only delays a step (the loop backs off and
/// comes back), and a step whose commit failed is done again in full.
/// </summary>
internal sealed class PageEscalator(IDbContextFactory<OpsDbContext> dbs, Paging paging, IOptions<OnCallOptions> options,
    BackgroundHealth health, TimeProvider clock, ILogger<PageEscalator> logger) : BackgroundLoop(health, clock, logger)
{
    private const int MaxPerRound = 50;
    private readonly TimeProvider _clock = clock;

    protected override string LoopName => "oncall.escalation";

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunEscalator)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            var done = 0;
            while (done < MaxPerRound && await EscalateNextAsync(stoppingToken))
            {
                done++;
            }
            MarkHealthy();
            if (done < MaxPerRound)
            {
                await Task.Delay(await WaitAsync(stoppingToken), _clock, stoppingToken);
            }
        }
    }

    /// <summary>Escalates one due page, if any; true when it did (tests call it to run a round by hand).</summary>
    public async Task<bool> EscalateNextAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = _clock.GetUtcNow();
        var page = await db.Set<Page>().FromSql($"""
            SELECT * FROM pages WHERE status = 'Triggered' AND next_escalation_at <= {now}
            ORDER BY next_escalation_at LIMIT 1 FOR UPDATE SKIP LOCKED
            """).SingleOrDefaultAsync(ct);
        if (page is null)
        {
            return false;
        }
        await paging.EscalateAsync(db, page, now, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Until the next page is due, at most the poll interval.</summary>
    private async Task<TimeSpan> WaitAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var next = await db.Set<Page>().Where(p => p.Status == PageStatus.Triggered && p.NextEscalationAt != null)
            .MinAsync(p => p.NextEscalationAt, ct);
        var poll = options.Value.PollInterval;
        if (next is not { } due)
        {
            return poll;
        }
        var wait = due - _clock.GetUtcNow() + TimeSpan.FromMilliseconds(50);
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > poll ? poll : wait;
    }
}
