using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpsPortal.Core.Data;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Events;
using OpsPortal.Core.Logs.Search;
using OpsPortal.Core.Services;

namespace OpsPortal.Core.Verification;

/// <summary>
/// Judges finished deploys by their traffic (ADR-026). One round: start watching deploys that finished,
/// evaluate every deploy under watch from the access table (interim numbers, or the verdict once the
/// window is over or a regression is clear), and start the rollbacks that regressions asked for. A
/// round runs on one node at a time (a transaction-scoped advisory lock); every write is conditional on
/// the state it changes, and all inputs are stored rows, so a crash, a restart or a second node mid-window
/// changes nothing about the outcome.
/// </summary>
internal sealed partial class DeployVerification(
    IDbContextFactory<OpsDbContext> dbFactory,
    NpgsqlDataSource dataSource,
    ServiceCatalog catalog,
    DeployQueries deploys,
    LogBuckets logs,
    EventLog events,
    AutoRollback rollbacks,
    IOptions<VerificationOptions> options,
    TimeProvider clock,
    ILogger<DeployVerification> logger)
{
    public const string LockKey = "opsportal.deploy-verification";
    public static readonly string ActorName = Auth.Actor.System("deploy-verification").Name;
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <returns>False when another node holds the round (it judges instead).</returns>
    public async Task<bool> RoundAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var cmd = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock(hashtext($1))", conn, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = LockKey });
            if (!(bool)(await cmd.ExecuteScalarAsync(ct))!)
            {
                return false;
            }
        }
        await WatchFinishedDeploysAsync(ct);
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var watching = await db.DeployImpacts.AsNoTracking().Where(i => i.Verdict == ImpactVerdict.Watching).OrderBy(i => i.DeployId).ToListAsync(ct);
            foreach (var impact in watching)
            {
                await EvaluateAsync(impact, ct);
            }
        }
        await rollbacks.RunPendingAsync(ct);
        // Ending the transaction releases the lock; nothing was written on this connection.
        await tx.RollbackAsync(ct);
        return true;
    }

    private async Task WatchFinishedDeploysAsync(CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        var since = now - o.LookBack;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var planned = 0;
        long after = 0;
        while (planned < 100)
        {
            var finished = await deploys.FinishedSinceAsync(since, after, 100, ct);
            if (finished.Count == 0)
            {
                break;
            }
            after = finished[^1].Id;
            var ids = finished.Select(d => d.Id).ToList();
            var watched = await db.DeployImpacts.AsNoTracking().Where(i => ids.Contains(i.DeployId)).Select(i => i.DeployId).ToHashSetAsync(ct);
            foreach (var deploy in finished.Where(d => !watched.Contains(d.Id)))
            {
                var selector = (await catalog.SelectorAsync(deploy.Service, deploy.Environment, ct)).Query;
                db.DeployImpacts.Add(Plan(deploy, selector, o, now));
                planned++;
            }
        }
        if (planned > 0)
        {
            await db.SaveChangesAsync(ct);
            LogWatching(planned);
        }
    }

    /// <summary>The windows of a finished deploy: before it started, and after the switch minus the warm-up.</summary>
    internal static DeployImpact Plan(Deploy deploy, string selector, VerificationOptions o, DateTimeOffset now)
    {
        var switchAt = Second(deploy.FinishedAt!.Value);
        // A deploy whose runner never claimed it ran nothing: there is no switch to judge.
        var ran = deploy.Runner is not null && deploy.StartedAt is not null;
        var started = ran ? Second(deploy.StartedAt!.Value) : switchAt;
        var afterFrom = switchAt + o.Warmup;
        return new DeployImpact
        {
            DeployId = deploy.Id,
            Service = deploy.Service,
            Environment = deploy.Environment,
            Selector = selector,
            SwitchAt = switchAt,
            BeforeFrom = started - o.Window,
            BeforeTo = started,
            AfterFrom = afterFrom,
            AfterTo = afterFrom + o.Window,
            Verdict = ran ? ImpactVerdict.Watching : ImpactVerdict.Skipped,
            Reason = ran
                ? $"Watching: the first {Minutes(o.Warmup)} after the switch are left out, then {Minutes(o.Window)} are compared with the {Minutes(o.Window)} before."
                : "Nothing to judge: the script never ran, so nothing was switched.",
            CreatedAt = now,
            JudgedAt = ran ? null : now,
        };
    }

    private async Task EvaluateAsync(DeployImpact impact, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // The next deploy of the target ends this one's window: what follows is the next version's traffic.
        var next = await deploys.NextOfTargetAsync(impact.Service, impact.Environment, impact.DeployId, ct);
        var afterTo = impact.AfterFrom + o.Window;
        if (next is not null && (next.StartedAt ?? next.RequestedAt) is var at && at < afterTo)
        {
            afterTo = at < impact.AfterFrom ? impact.AfterFrom : Second(at);
        }
        var final = now >= afterTo + o.Grace;
        var end = now < afterTo ? now : afterTo;
        var whole = end <= impact.AfterFrom ? 0 : (long)((end - impact.AfterFrom) / o.Bucket);
        var afterEnd = impact.AfterFrom + whole * o.Bucket;
        if (whole == 0 && !final)
        {
            return;
        }
        var report = await MeasureAsync(impact, afterEnd, o, ct);
        var groups = report.Groups.Select(g => g.ToGroup()).ToList();
        var judgement = ImpactStatistics.Judge(groups, final, o);
        if (next is not null && afterTo < impact.AfterFrom + o.Window && judgement.Verdict == ImpactVerdict.NotEnoughTraffic)
        {
            judgement = judgement with { Reason = judgement.Reason + $" The window was cut short by deploy #{next.Id}." };
        }
        var full = report with
        {
            Groups = [.. report.Groups.Select(g => g with { Judged = ImpactStatistics.VolumeProblem(g.ToGroup(), o) is null })],
            Findings = judgement.Findings,
        };
        var json = JsonSerializer.SerializeToDocument(full, Json);
        if (judgement.Verdict == ImpactVerdict.Watching)
        {
            await db.DeployImpacts.Where(i => i.DeployId == impact.DeployId && i.Verdict == ImpactVerdict.Watching)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Report, json).SetProperty(i => i.Reason, judgement.Reason)
                    .SetProperty(i => i.EvaluatedAt, now).SetProperty(i => i.AfterTo, afterTo), ct);
            return;
        }
        await ConcludeAsync(db, impact, judgement, json, afterTo, now, ct);
    }

    private async Task<ImpactReport> MeasureAsync(DeployImpact impact, DateTimeOffset afterEnd, VerificationOptions o, CancellationToken ct)
    {
        var before = await logs.ByHostAsync(impact.Selector, impact.BeforeFrom.UtcDateTime, impact.BeforeTo.UtcDateTime, o.Bucket, o.MaxHosts, ct);
        var after = afterEnd > impact.AfterFrom
            ? await logs.ByHostAsync(impact.Selector, impact.AfterFrom.UtcDateTime, afterEnd.UtcDateTime, o.Bucket, o.MaxHosts, ct)
            : [new HostTraffic(null, 0, 0, 0, null, null, [])];
        var hosts = new List<ImpactHostReport>();
        foreach (var b in before)
        {
            // A host is compared only when it served on both sides.
            if (after.FirstOrDefault(a => a.Host == b.Host) is { } a)
            {
                hosts.Add(new ImpactHostReport(b.Host, Side(b, impact.BeforeFrom, impact.BeforeTo), Side(a, impact.AfterFrom, afterEnd), false,
                    b.Buckets, a.Buckets));
            }
        }
        return new ImpactReport(impact.BeforeFrom.UtcDateTime, impact.BeforeTo.UtcDateTime, impact.AfterFrom.UtcDateTime, afterEnd.UtcDateTime, o.Bucket,
            hosts, []);
    }

    private static ImpactSide Side(HostTraffic t, DateTimeOffset from, DateTimeOffset to) =>
        new(from.UtcDateTime, to.UtcDateTime, t.Requests, t.Errors, t.Mismatches, t.P95, t.P99);

    private async Task ConcludeAsync(OpsDbContext db, DeployImpact impact, ImpactJudgement judgement, JsonDocument json, DateTimeOffset afterTo,
        DateTimeOffset now, CancellationToken ct)
    {
        var deploy = await deploys.GetAsync(impact.DeployId, ct) ?? throw new InvalidOperationException($"Deploy {impact.DeployId} under verification is gone.");
        var service = await catalog.FindAsync(impact.Service, ct);
        var auto = judgement.Verdict == ImpactVerdict.Regressed && deploy.Action == DeployAction.Deploy
            && service?.Environment(impact.Environment)?.AutoRollback == true;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var changed = await db.DeployImpacts.Where(i => i.DeployId == impact.DeployId && i.Verdict == ImpactVerdict.Watching)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Verdict, judgement.Verdict).SetProperty(i => i.Reason, judgement.Reason)
                .SetProperty(i => i.Report, json).SetProperty(i => i.EvaluatedAt, now).SetProperty(i => i.JudgedAt, now)
                .SetProperty(i => i.AfterTo, afterTo).SetProperty(i => i.AutoRollback, auto ? AutoRollbackState.Pending : null), ct);
        if (changed == 0)
        {
            return;
        }
        var verdict = judgement.Verdict switch
        {
            ImpactVerdict.Healthy => "looks healthy",
            ImpactVerdict.Regressed => "regressed",
            _ => "could not be judged",
        };
        events.Append(db, ActorName, VerificationEventKinds.ForVerdict(judgement.Verdict), VerificationEventKinds.SubjectType,
            DeployStarter.Id(deploy), $"{DeployStarter.Describe(deploy)} {verdict}. {judgement.Reason}{(auto ? " Rolling back by itself (auto_rollback)." : "")}",
            deploy.Service, new
            {
                verdict = judgement.Verdict,
                deploy.Environment,
                deploy.Version,
                query = impact.Selector,
                from = impact.BeforeFrom,
                to = afterTo,
                autoRollback = auto,
            });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        LogJudged(deploy.Id, judgement.Verdict);
    }

    internal static DateTimeOffset Second(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    internal static string Minutes(TimeSpan t) => t.TotalMinutes >= 1 && t.TotalSeconds % 60 == 0
        ? (t.TotalMinutes == 1 ? "minute" : $"{t.TotalMinutes:0} minutes")
        : $"{t.TotalSeconds:0} s";

    [LoggerMessage(LogLevel.Information, "Deploy verification: watching {Count} finished deploys")]
    private partial void LogWatching(int count);

    [LoggerMessage(LogLevel.Information, "Deploy {DeployId} judged {Verdict}")]
    private partial void LogJudged(long deployId, string verdict);
}
