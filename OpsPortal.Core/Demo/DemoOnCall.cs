using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.OnCall.Escalation;
using OpsPortal.Core.OnCall.Schedules;

namespace OpsPortal.Core.Demo;

/// <summary>
/// In demo mode, on-call for <c>demo-web</c>: two demo people (accounts without a password: they cannot sign in),
/// a weekly schedule of them in Europe/Berlin and the escalation policy <see cref="Policy"/> (their schedule, then
/// both, 5 minutes each), which demo-web's catalog entry names. Created once, by name; every node may try (names
/// are unique, the loser's attempt is refused and ignored).
/// </summary>
public sealed partial class DemoOnCall(IOptions<DemoOptions> options, IDbContextFactory<OpsDbContext> dbs, ScheduleService schedules,
    EscalationPolicies policies, BackgroundHealth health, TimeProvider clock, ILogger<DemoOnCall> logger) : BackgroundLoop(health, clock, logger)
{
    public const string Schedule = "DEMO web primary";
    public const string Policy = "DEMO web";
    public static readonly IReadOnlyList<string> People = ["demo-ann@demo.local", "demo-ben@demo.local"];

    protected override string LoopName => "demo.oncall";

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Demo)
        {
            return;
        }
        await using (var db = await dbs.CreateDbContextAsync(stoppingToken))
        {
            if (await db.Set<EscalationPolicy>().AnyAsync(p => p.Name == Policy, stoppingToken))
            {
                MarkHealthy();
                return;
            }
        }
        foreach (var person in People)
        {
            await EnsureUserAsync(person, stoppingToken);
        }
        var actor = Actor.System("demo");
        var schedule = await schedules.CreateAsync(ScheduleInput(Clock.GetUtcNow()), actor, stoppingToken, demo: true);
        var id = schedule.Succeeded ? schedule.Value.Id
            : (await schedules.ListAsync(stoppingToken)).FirstOrDefault(s => s.Name == Schedule)?.Id;
        if (id is null)
        {
            LogNotCreated(Logger, Schedule, schedule.Refusal?.Message ?? "");
            return;
        }
        await using (var db = await dbs.CreateDbContextAsync(stoppingToken))
        {
            var isDefault = !await db.Set<EscalationPolicy>().AnyAsync(p => p.IsDefault, stoppingToken);
            var policy = await policies.SaveAsync(null, PolicyInput(id.Value, isDefault), actor, stoppingToken, demo: true);
            if (!policy.Succeeded && policy.Refusal.Kind != RefusalKind.Conflict)
            {
                LogNotCreated(Logger, Policy, policy.Refusal.Message);
            }
        }
        MarkHealthy();
    }

    /// <summary>Weekly hand-offs on Monday 09:00 Berlin time, starting with the Monday of this week.</summary>
    internal static ScheduleInput ScheduleInput(DateTimeOffset now)
    {
        var zone = WallClock.Find("Europe/Berlin") ?? TimeZoneInfo.Utc;
        var today = WallClock.ToWall(now, zone).Date;
        var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7)).AddHours(9);
        return new ScheduleInput(Schedule, "DEMO - the demo-web rotation (demo people; they cannot sign in)", zone.Id,
            [new LayerInput("weekly", "weekly", null, monday.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture), [.. People])]);
    }

    internal static PolicyInput PolicyInput(long scheduleId, bool isDefault) => new(Policy, "DEMO - pages demo-web's on-call, then both demo people",
        [new LevelInput(5, [new TargetInput("schedule", ScheduleId: scheduleId)]), new LevelInput(5, [.. People.Select(p => new TargetInput("person", Person: p))])],
        Repeat: 1, IsDefault: isDefault);

    // An account with no password: schedules and policies may name it, nobody can sign in as it.
    private async Task EnsureUserAsync(string email, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var normalized = email.ToUpperInvariant();
        if (await db.Users.AnyAsync(u => u.NormalizedEmail == normalized, ct))
        {
            return;
        }
        var user = new AppUser
        {
            UserName = email,
            NormalizedUserName = normalized,
            Email = email,
            NormalizedEmail = normalized,
            EmailConfirmed = true,
            DisplayName = "DEMO " + email.Split('@')[0],
            CreatedAt = Clock.GetUtcNow(),
            SecurityStamp = Guid.NewGuid().ToString("N"),
            ConcurrencyStamp = Guid.NewGuid().ToString(),
        };
        db.Users.Add(user);
        if (await db.Roles.SingleOrDefaultAsync(r => r.NormalizedName == Roles.Viewer.ToUpperInvariant(), ct) is { } role)
        {
            db.UserRoles.Add(new IdentityUserRole<string> { UserId = user.Id, RoleId = role.Id });
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Another node made it first.
        }
    }

    [LoggerMessage(LogLevel.Warning, "Demo on-call item {Name} was not created: {Reason}")]
    private static partial void LogNotCreated(ILogger logger, string name, string reason);
}
