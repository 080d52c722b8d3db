using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Deploys.Config;

namespace OpsPortal.Core.Services;

/// <summary>The saved service and whether the save created it.</summary>
public sealed record ServiceSaved(CatalogService Service, bool Created);

public sealed partial class ServiceCatalog
{
    /// <summary>
    /// Creates or updates a portal-defined service (Engineers). A service declared in services.yaml is
    /// refused: the file is its source. With <see cref="ServiceInput.BaseRevision"/>, a save over someone
    /// else's newer revision is refused with the current revision.
    /// </summary>
    public async Task<Result<ServiceSaved>> SaveAsync(Actor actor, string name, ServiceInput input, CancellationToken ct = default)
    {
        if (!actor.Has(Roles.Engineer))
        {
            return Refusal.Forbidden("Defining services needs the Engineer role.");
        }
        if (Validate(name, input) is { Count: > 0 } errors)
        {
            return Refusal.InvalidFields(errors, "Invalid service");
        }
        if (configs.Current.Config?.Services.FirstOrDefault(s => s.Name == name) is { } declared)
        {
            return Refusal.Conflict($"'{name}' is declared in {configs.Current.Path}:{declared.Catalog.Line}; change it there (the file wins).",
                "Defined in services.yaml");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var row = await db.Set<ServiceDefinition>().FromSql($"SELECT * FROM services WHERE name = {name} FOR UPDATE").SingleOrDefaultAsync(ct);
        var now = clock.GetUtcNow();
        var created = row is null;
        if (row is null)
        {
            row = new ServiceDefinition { Name = name, CreatedBy = actor.Name, CreatedAt = now, UpdatedBy = actor.Name, UpdatedAt = now };
            db.Add(row);
        }
        else if (input.BaseRevision is { } baseRevision && baseRevision != row.Revision)
        {
            return Refusal.Conflict($"'{name}' was changed by {row.UpdatedBy} (revision {row.Revision}) after you opened revision {baseRevision}.",
                "Changed meanwhile").With("currentRevision", row.Revision);
        }
        Apply(row, input);
        row.Revision++;
        row.UpdatedBy = actor.Name;
        row.UpdatedAt = now;
        events.Append(db, actor.Name, created ? ServiceEventKinds.Created : ServiceEventKinds.Updated, ServiceEventKinds.SubjectType, name,
            created ? $"{actor.Name} added service {name} to the catalog" : $"{actor.Name} changed service {name} (revision {row.Revision})",
            name, new { row.Revision, row.Owners, row.LogSelector, row.DependsOn, row.EscalationPolicy });
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return Refusal.Conflict($"'{name}' was created by someone else a moment ago; reload and edit it.", "Created meanwhile");
        }
        var saved = await FindAsync(name, ct);
        return new ServiceSaved(saved!, created);
    }

    /// <summary>Removes a portal-defined service (Engineers); its history stays on the events timeline.</summary>
    public async Task<Result> DeleteAsync(Actor actor, string name, CancellationToken ct = default)
    {
        if (!actor.Has(Roles.Engineer))
        {
            return Refusal.Forbidden("Removing services needs the Engineer role.");
        }
        if (configs.Current.Config?.Services.Any(s => s.Name == name) == true)
        {
            return Refusal.Conflict($"'{name}' is declared in {configs.Current.Path}; remove it there.", "Defined in services.yaml");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.Set<ServiceDefinition>().SingleOrDefaultAsync(s => s.Name == name, ct);
        if (row is null)
        {
            return Refusal.NotFound($"There is no portal-defined service '{name}'.");
        }
        db.Remove(row);
        events.Append(db, actor.Name, ServiceEventKinds.Deleted, ServiceEventKinds.SubjectType, name,
            $"{actor.Name} removed service {name} from the catalog", name);
        await db.SaveChangesAsync(ct);
        return Result.Ok;
    }

    private static void Apply(ServiceDefinition row, ServiceInput input)
    {
        row.Description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim();
        row.Owners = Clean(input.Owners);
        row.Tier = input.Tier;
        row.Links = (input.Links ?? []).Select(l => new ServiceLink(l.Title.Trim(), l.Url.Trim())).ToList();
        row.LogSelector = string.IsNullOrWhiteSpace(input.LogSelector) ? null : input.LogSelector.Trim();
        row.DependsOn = Clean(input.DependsOn);
        row.EscalationPolicy = string.IsNullOrWhiteSpace(input.EscalationPolicy) ? null : input.EscalationPolicy.Trim();
    }

    private static List<string> Clean(IReadOnlyList<string>? values) =>
        (values ?? []).Select(v => v.Trim()).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Field → problem, with the same rules services.yaml is checked by.</summary>
    internal static Dictionary<string, string> Validate(string name, ServiceInput input)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        void Check(string field, string? problem)
        {
            if (problem is not null)
            {
                errors.TryAdd(field, problem);
            }
        }
        Check("name", ServiceCatalogRules.NameProblem(name));
        Check("description", ServiceCatalogRules.DescriptionProblem(input.Description?.Trim()));
        var owners = Clean(input.Owners);
        Check("owners", owners.Count > ServiceCatalogRules.MaxOwners ? $"at most {ServiceCatalogRules.MaxOwners} owners" : null);
        foreach (var owner in owners)
        {
            Check("owners", ServiceCatalogRules.OwnerProblem(owner));
        }
        if (input.Tier is { } tier)
        {
            Check("tier", ServiceCatalogRules.TierProblem(tier));
        }
        var links = input.Links ?? [];
        Check("links", links.Count > ServiceCatalogRules.MaxLinks ? $"at most {ServiceCatalogRules.MaxLinks} links" : null);
        foreach (var link in links)
        {
            Check("links", link is null ? "a link needs a title and a URL" : ServiceCatalogRules.LinkProblem(link.Title ?? "", link.Url ?? ""));
        }
        if (!string.IsNullOrWhiteSpace(input.LogSelector))
        {
            Check("logSelector", ServiceCatalogRules.SelectorProblem(input.LogSelector.Trim()));
        }
        var dependencies = Clean(input.DependsOn);
        Check("dependsOn", dependencies.Count > ServiceCatalogRules.MaxDependencies ? $"at most {ServiceCatalogRules.MaxDependencies} dependencies" : null);
        foreach (var dependency in dependencies)
        {
            Check("dependsOn", ServiceCatalogRules.DependencyProblem(name, dependency));
        }
        if (!string.IsNullOrWhiteSpace(input.EscalationPolicy))
        {
            Check("escalationPolicy", ServiceCatalogRules.PolicyProblem(input.EscalationPolicy.Trim()));
        }
        return errors;
    }
}
