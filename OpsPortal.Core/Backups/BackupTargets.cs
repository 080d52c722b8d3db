using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Backups;

/// <summary>Backup targets: the built-in one (the portal's own database) and those the team adds; their schedules.</summary>
public sealed class BackupTargets(
    IDbContextFactory<OpsDbContext> dbs,
    DatabaseConnections connections,
    BackupSecrets secrets,
    IRecurringJobManager recurring,
    IOptions<BackupsOptions> options,
    EventLog events,
    TimeProvider clock)
{
    public const string PortalName = "OpsPortal (this portal)";

    public async Task<List<BackupTarget>> ListAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.BackupTargets.AsNoTracking().OrderByDescending(t => t.BuiltIn).ThenBy(t => t.Name).ToListAsync(ct);
    }

    internal async Task<BackupTarget?> FindAsync(long id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.BackupTargets.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, ct);
    }

    /// <summary>Creates the built-in target once (any number of nodes may call this at start) and keeps its schedules registered.</summary>
    public async Task<BackupTarget> EnsureBuiltInAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var existing = await db.BackupTargets.AsNoTracking().FirstOrDefaultAsync(t => t.BuiltIn, ct);
        if (existing is not null)
        {
            return existing;
        }
        var o = options.Value;
        var now = clock.GetUtcNow();
        var target = new BackupTarget
        {
            Name = PortalName,
            BuiltIn = true,
            Server = BackupTargetRules.ServerOf(connections.DirectConnectionString) ?? "",
            Destination = o.Folder,
            Schedule = o.PortalSchedule,
            DrillSchedule = o.PortalDrillSchedule,
            CreatedBy = "system",
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.BackupTargets.Add(target);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Another node created it first.
            await using var again = await dbs.CreateDbContextAsync(ct);
            return await again.BackupTargets.AsNoTracking().FirstAsync(t => t.BuiltIn, ct);
        }
        return target;
    }

    public async Task<Result<BackupTarget>> CreateAsync(Actor actor, BackupTargetInput input, CancellationToken ct)
    {
        var errors = BackupTargetRules.Check(input, builtIn: false, creating: true);
        if (errors.Count > 0)
        {
            return Refusal.InvalidFields(errors);
        }
        await using var db = await dbs.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        var target = new BackupTarget
        {
            Name = input.Name.Trim(),
            ProtectedConnectionString = secrets.Protect(input.ConnectionString!),
            Server = BackupTargetRules.ServerOf(input.ConnectionString!)!,
            Destination = input.Destination ?? options.Value.Folder,
            CreatedBy = actor.Name,
            CreatedAt = now,
            UpdatedAt = now,
        };
        Apply(target, input);
        db.BackupTargets.Add(target);
        try
        {
            await db.SaveChangesAsync(ct);
            events.Append(db, actor.Name, BackupEventKinds.TargetCreated, BackupEventKinds.SubjectType, target.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"Backup target {target.Name} ({target.Server}) added");
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return Refusal.Conflict($"A backup target named {input.Name.Trim()} exists already.");
        }
        SyncSchedules(target);
        return target;
    }

    public async Task<Result<BackupTarget>> UpdateAsync(Actor actor, long id, BackupTargetInput input, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var target = await db.BackupTargets.FirstOrDefaultAsync(t => t.Id == id, ct);
        if (target is null)
        {
            return BackupRefusals.TargetNotFound(id);
        }
        if (input.Method is null)
        {
            // An update that names no method keeps the target's (and its stanza and config unless given).
            input = input with { Method = target.Method, Stanza = input.Stanza ?? target.Stanza, PgBackRestConfig = input.PgBackRestConfig ?? target.PgBackRestConfig };
        }
        var errors = BackupTargetRules.Check(input, target.BuiltIn, creating: false);
        if (errors.Count > 0)
        {
            return Refusal.InvalidFields(errors);
        }
        if (!target.BuiltIn)
        {
            target.Name = input.Name.Trim();
            if (!string.IsNullOrWhiteSpace(input.ConnectionString))
            {
                target.ProtectedConnectionString = secrets.Protect(input.ConnectionString);
                target.Server = BackupTargetRules.ServerOf(input.ConnectionString)!;
            }
        }
        target.Destination = input.Destination ?? target.Destination;
        Apply(target, input);
        target.UpdatedAt = clock.GetUtcNow();
        events.Append(db, actor.Name, BackupEventKinds.TargetUpdated, BackupEventKinds.SubjectType, target.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"Backup target {target.Name} changed");
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return Refusal.Conflict($"A backup target named {input.Name.Trim()} exists already.");
        }
        SyncSchedules(target);
        return target;
    }

    private static void Apply(BackupTarget target, BackupTargetInput input)
    {
        target.Schedule = string.IsNullOrWhiteSpace(input.Schedule) ? null : input.Schedule.Trim();
        target.DrillSchedule = string.IsNullOrWhiteSpace(input.DrillSchedule) ? null : input.DrillSchedule.Trim();
        target.KeepDaily = input.KeepDaily;
        target.KeepWeekly = input.KeepWeekly;
        target.KeepMonthly = input.KeepMonthly;
        target.BackupMaxAgeHours = input.BackupMaxAgeHours;
        target.DrillMaxAgeHours = input.DrillMaxAgeHours;
        target.Checks = input.Checks ?? target.Checks;
        if (!target.BuiltIn)
        {
            target.Method = input.Method ?? BackupMethods.PgDump;
            var physical = target.Method == BackupMethods.PgBackRest;
            target.Stanza = physical ? input.Stanza : null;
            target.PgBackRestConfig = physical ? input.PgBackRestConfig : null;
        }
    }

    /// <summary>The connection string pg_dump uses (the portal's own: its direct connection, never through a pooler); null when it cannot be decrypted.</summary>
    internal string? ConnectionStringOf(BackupTarget target) =>
        target.BuiltIn ? connections.DirectConnectionString : secrets.TryUnprotect(target.ProtectedConnectionString);

    /// <summary>The next <paramref name="count"/> runs (UTC) of a schedule, for a form; refused with the message a save would give.</summary>
    public static Result<IReadOnlyList<DateTimeOffset>> NextRuns(string? cron, DateTimeOffset after, int count)
    {
        if (BackupTargetRules.CronError(cron) is { } error)
        {
            return Refusal.Invalid(error);
        }
        var runs = new List<DateTimeOffset>();
        var at = after;
        while (runs.Count < count && BackupTargetRules.Next(cron, at) is { } next)
        {
            runs.Add(next);
            at = next;
        }
        return runs;
    }

    /// <summary>
    /// Free bytes where files written to <paramref name="folder"/> would land (its nearest existing ancestor, as the
    /// folder is created at the first backup); null when the path is not absolute or no ancestor can be read.
    /// </summary>
    public static long? FreeBytes(string? folder)
    {
        if (string.IsNullOrWhiteSpace(folder) || !Path.IsPathFullyQualified(folder) || folder.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }
        for (var dir = new DirectoryInfo(folder); dir is not null; dir = dir.Parent)
        {
            if (dir.Exists)
            {
                try
                {
                    return new DriveInfo(dir.FullName).AvailableFreeSpace;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
                {
                    return null;
                }
            }
        }
        return null;
    }

    /// <summary>Where a new target's backups go unless the form names a folder.</summary>
    public string DefaultFolder => options.Value.Folder;

    /// <summary>The reserve a backup leaves free beyond its expected size (the form shows it beside the free space).</summary>
    public long MinFreeBytes => options.Value.MinFreeMegabytes * 1024L * 1024L;

    internal static string BackupJobId(long targetId) => $"backups:target-{targetId}:backup";

    internal static string DrillJobId(long targetId) => $"backups:target-{targetId}:drill";

    /// <summary>Registers (or removes) the target's recurring backup and drill jobs; idempotent, so every node may call it.</summary>
    internal void SyncSchedules(BackupTarget target)
    {
        if (target.Schedule is { } cron)
        {
            recurring.AddOrUpdate<BackupJobs>(BackupJobId(target.Id), j => j.ScheduledBackupAsync(target.Id, CancellationToken.None), cron);
        }
        else
        {
            recurring.RemoveIfExists(BackupJobId(target.Id));
        }
        if (target.DrillSchedule is { } drillCron)
        {
            recurring.AddOrUpdate<BackupJobs>(DrillJobId(target.Id), j => j.ScheduledDrillAsync(target.Id, CancellationToken.None), drillCron);
        }
        else
        {
            recurring.RemoveIfExists(DrillJobId(target.Id));
        }
    }

    /// <summary>At start: the built-in target exists and every target's schedules are registered.</summary>
    public async Task SyncAllSchedulesAsync(CancellationToken ct)
    {
        await EnsureBuiltInAsync(ct);
        foreach (var target in await ListAsync(ct))
        {
            SyncSchedules(target);
        }
    }
}
