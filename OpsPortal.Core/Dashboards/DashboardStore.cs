using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Dashboards;

/// <param name="Personal">A personal dashboard (only its owner sees it); ignored on update — ownership never changes.</param>
/// <param name="BaseRevision">The revision the change started from; required to update, so no save silently overwrites another.</param>
public sealed record DashboardInput(string? Title, string? Description, IReadOnlyList<PanelSpec>? Panels, bool Personal = false, int? BaseRevision = null);

/// <summary>
/// Saved dashboards. Everyone reads team dashboards and their own personal ones; Engineers write team
/// dashboards; anyone writes their own personal ones; someone else's personal dashboard does not exist for
/// you. Every update names the revision it started from (optimistic concurrency): nobody overwrites a change
/// they have not seen.
/// </summary>
public sealed class DashboardStore(IDbContextFactory<OpsDbContext> dbFactory, EventLog events, TimeProvider clock)
{
    public async Task<IReadOnlyList<Dashboard>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<Dashboard>().AsNoTracking().Where(d => d.Owner == null || d.Owner == actor.Name)
            .OrderBy(d => d.Owner != null).ThenBy(d => d.Title).ThenBy(d => d.Id).ToListAsync(ct);
    }

    public async Task<Result<Dashboard>> GetAsync(Actor actor, long id, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Set<Dashboard>().AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, ct);
        return Visible(actor, row, id);
    }

    public Task<Result<Dashboard>> CreateAsync(Actor actor, DashboardInput input, CancellationToken ct = default) =>
        InsertAsync(actor, input, row => $"{actor.Name} created {Kind(row)} dashboard \"{row.Title}\"", ct);

    /// <summary>
    /// A new dashboard with the panels of one you can read: team → personal, personal → team, or another copy of
    /// the same kind. The same rules as creating: anyone makes a personal copy, a team copy needs an Engineer. The
    /// copy shares nothing with its source: later changes to either leave the other as it is.
    /// </summary>
    /// <param name="title">The copy's title; empty: the source's title with " (copy)".</param>
    public async Task<Result<Dashboard>> CopyAsync(Actor actor, long id, string? title, bool shared, CancellationToken ct = default)
    {
        if (!(await GetAsync(actor, id, ct)).TryGet(out var source, out var refusal))
        {
            return refusal;
        }
        var name = string.IsNullOrWhiteSpace(title) ? CopyTitle(source.Title) : title;
        return await InsertAsync(actor, new DashboardInput(name, source.Description, source.Panels, Personal: !shared),
            row => $"{actor.Name} copied {Kind(source)} dashboard \"{source.Title}\" (#{source.Id}) to {Kind(row)} dashboard \"{row.Title}\"", ct);
    }

    /// <summary>"Shop" → "Shop (copy)", cut so that it stays a valid title.</summary>
    public static string CopyTitle(string title)
    {
        const string suffix = " (copy)";
        return (title.Length + suffix.Length > DashboardRules.MaxTitle ? title[..(DashboardRules.MaxTitle - suffix.Length)] : title) + suffix;
    }

    private async Task<Result<Dashboard>> InsertAsync(Actor actor, DashboardInput input, Func<Dashboard, string> summary, CancellationToken ct)
    {
        if (!input.Personal && !actor.Has(Roles.Engineer))
        {
            return Refusal.Forbidden("Team dashboards need the Engineer role; save it as a personal dashboard instead.");
        }
        if (DashboardRules.Validate(input.Title, input.Description, input.Panels) is { Count: > 0 } errors)
        {
            return Refusal.InvalidFields(errors, "Invalid dashboard");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // The event names the new id, so the row is inserted first; one transaction keeps both or neither.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        var row = new Dashboard
        {
            Title = input.Title!.Trim(),
            Description = Clean(input.Description),
            Owner = input.Personal ? actor.Name : null,
            Panels = [.. input.Panels ?? []],
            Revision = 1,
            CreatedBy = actor.Name,
            CreatedAt = now,
            UpdatedBy = actor.Name,
            UpdatedAt = now,
        };
        db.Add(row);
        await db.SaveChangesAsync(ct);
        Append(db, actor, DashboardEventKinds.Created, row, summary(row));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return row;
    }

    public async Task<Result<Dashboard>> UpdateAsync(Actor actor, long id, DashboardInput input, CancellationToken ct = default)
    {
        if (input.BaseRevision is not { } baseRevision)
        {
            return Refusal.InvalidField("baseRevision", "name the revision your change started from");
        }
        if (DashboardRules.Validate(input.Title, input.Description, input.Panels) is { Count: > 0 } errors)
        {
            return Refusal.InvalidFields(errors, "Invalid dashboard");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var row = await db.Set<Dashboard>().FromSql($"SELECT * FROM dashboards WHERE id = {id} FOR UPDATE").SingleOrDefaultAsync(ct);
        if (Writable(actor, row, id) is { } refusal)
        {
            return refusal;
        }
        if (row!.Revision != baseRevision)
        {
            return Refusal.Conflict($"\"{row.Title}\" was changed by {row.UpdatedBy} (revision {row.Revision}) after you opened revision {baseRevision}; reload and apply your change again.",
                "Changed meanwhile").With("currentRevision", row.Revision);
        }
        row.Title = input.Title!.Trim();
        row.Description = Clean(input.Description);
        row.Panels = [.. input.Panels ?? []];
        row.Revision++;
        row.UpdatedBy = actor.Name;
        row.UpdatedAt = clock.GetUtcNow();
        Append(db, actor, DashboardEventKinds.Updated, row, $"{actor.Name} changed {Kind(row)} dashboard \"{row.Title}\" (revision {row.Revision})");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return row;
    }

    /// <param name="baseRevision">When given, a dashboard changed since is not deleted.</param>
    public async Task<Result> DeleteAsync(Actor actor, long id, int? baseRevision, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var row = await db.Set<Dashboard>().FromSql($"SELECT * FROM dashboards WHERE id = {id} FOR UPDATE").SingleOrDefaultAsync(ct);
        if (Writable(actor, row, id) is { } refusal)
        {
            return refusal;
        }
        if (baseRevision is { } b && b != row!.Revision)
        {
            return Refusal.Conflict($"\"{row.Title}\" was changed by {row.UpdatedBy} (revision {row.Revision}) after you opened revision {b}.",
                "Changed meanwhile").With("currentRevision", row.Revision);
        }
        db.Remove(row!);
        Append(db, actor, DashboardEventKinds.Deleted, row!, $"{actor.Name} deleted {Kind(row!)} dashboard \"{row!.Title}\"");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Result.Ok;
    }

    // Someone else's personal dashboard is answered as missing: its existence is theirs.
    private static Result<Dashboard> Visible(Actor actor, Dashboard? row, long id) =>
        row is null || (row.Owner is not null && row.Owner != actor.Name)
            ? Refusal.NotFound($"There is no dashboard {id}.")
            : row;

    private static Refusal? Writable(Actor actor, Dashboard? row, long id)
    {
        if (!Visible(actor, row, id).TryGet(out var visible, out var refusal))
        {
            return refusal;
        }
        return visible.IsTeam && !actor.Has(Roles.Engineer)
            ? Refusal.Forbidden("Team dashboards are changed by Engineers; copy it to a personal dashboard to change it.")
            : null;
    }

    private void Append(OpsDbContext db, Actor actor, string kind, Dashboard row, string summary) =>
        events.Append(db, actor.Name, kind, DashboardEventKinds.SubjectType, row.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), summary, null,
            new { row.Revision, row.Owner, Panels = row.Panels.Count });

    private static string Kind(Dashboard row) => row.IsTeam ? "team" : "personal";

    private static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
