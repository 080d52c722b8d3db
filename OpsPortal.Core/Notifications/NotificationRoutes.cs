using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Notifications;

public sealed record RouteView(long Id, int Position, string Name, IReadOnlyList<RouteMatcher> Matchers, IReadOnlyList<long> ChannelIds, bool Continue);

/// <summary>The routing table: ordered routes, then the default's channels (used when no route matched).</summary>
public sealed record RoutingTable(IReadOnlyList<RouteView> Routes, IReadOnlyList<long> DefaultChannelIds, string UpdatedBy, DateTimeOffset UpdatedAt);

public sealed record RouteRequest(string? Name, IReadOnlyList<RouteMatcher>? Matchers, IReadOnlyList<long>? ChannelIds, bool Continue = false);

/// <summary>The whole table at once: order is the list's order. Replacing it whole keeps reordering atomic.</summary>
public sealed record RoutingTableRequest(IReadOnlyList<RouteRequest>? Routes, IReadOnlyList<long>? DefaultChannelIds);

public sealed record RoutePreview(IReadOnlyList<string> MatchedRoutes, IReadOnlyList<long> ChannelIds, IReadOnlyList<string> ChannelNames);

/// <summary>Reads, replaces and previews the routing table.</summary>
public sealed class NotificationRoutes(IDbContextFactory<OpsDbContext> dbs, EventLog events, TimeProvider clock)
{
    public async Task<RoutingTable> GetAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var routes = await db.Set<NotificationRoute>().AsNoTracking().ToListAsync(ct);
        return Table(routes);
    }

    public async Task<Result<RoutingTable>> ReplaceAsync(RoutingTableRequest request, Actor actor, CancellationToken ct)
    {
        if (!actor.Has(Roles.Engineer))
        {
            return Refusal.Forbidden("Changing the routes needs the Engineer role.");
        }
        var routes = request.Routes ?? [];
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        if (routes.Count > NotificationRules.MaxRoutes)
        {
            errors["routes"] = $"At most {NotificationRules.MaxRoutes} routes.";
        }
        await using var db = await dbs.CreateDbContextAsync(ct);
        var known = (await db.Set<NotificationChannel>().Select(c => c.Id).ToListAsync(ct)).ToHashSet();
        for (var i = 0; i < routes.Count; i++)
        {
            var r = routes[i];
            var name = r.Name?.Trim() ?? "";
            if (name.Length is 0 or > NotificationRules.MaxName)
            {
                errors[$"routes[{i}].name"] = $"Route {i + 1} needs a name of 1 to {NotificationRules.MaxName} characters.";
            }
            var matchers = r.Matchers ?? [];
            if (matchers.Count > NotificationRules.MaxMatchers)
            {
                errors[$"routes[{i}].matchers"] = $"Route {i + 1} has more than {NotificationRules.MaxMatchers} matchers.";
            }
            else if (matchers.Select(m => m.Problem()).FirstOrDefault(p => p is not null) is { } problem)
            {
                errors[$"routes[{i}].matchers"] = $"Route {i + 1}: {problem}";
            }
            if ((r.ChannelIds ?? []).FirstOrDefault(id => !known.Contains(id)) is var missing and not 0)
            {
                errors[$"routes[{i}].channelIds"] = $"Route {i + 1} names channel {missing}, which does not exist.";
            }
        }
        if ((request.DefaultChannelIds ?? []).FirstOrDefault(id => !known.Contains(id)) is var absent and not 0)
        {
            errors["defaultChannelIds"] = $"The default route names channel {absent}, which does not exist.";
        }
        if (errors.Count > 0)
        {
            return Refusal.InvalidFields(errors);
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Lock the default row: two saves at once apply one after the other, never interleaved.
        var fallback = await db.Set<NotificationRoute>().FromSqlRaw("SELECT * FROM notification_routes WHERE is_default FOR UPDATE").SingleAsync(ct);
        await db.Set<NotificationRoute>().Where(r => !r.IsDefault).ExecuteDeleteAsync(ct);
        var now = clock.GetUtcNow();
        fallback.ChannelIds = [.. (request.DefaultChannelIds ?? []).Distinct()];
        fallback.UpdatedBy = actor.Name;
        fallback.UpdatedAt = now;
        for (var i = 0; i < routes.Count; i++)
        {
            var r = routes[i];
            db.Add(new NotificationRoute
            {
                Position = i + 1,
                Name = r.Name!.Trim(),
                Matchers = [.. r.Matchers ?? []],
                ChannelIds = [.. (r.ChannelIds ?? []).Distinct()],
                Continue = r.Continue,
                UpdatedBy = actor.Name,
                UpdatedAt = now,
            });
        }
        events.Append(db, actor.Name, NotificationEventKinds.RoutesUpdated, NotificationEventKinds.RoutesSubjectType, "all",
            $"Notification routes changed: {routes.Count} route(s), default to {fallback.ChannelIds.Count} channel(s)");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return await GetAsync(ct);
    }

    /// <summary>Which routes and channels a message with these labels would go to (the outbox's own logic).</summary>
    public async Task<RoutePreview> PreviewAsync(IReadOnlyDictionary<string, string> labels, string severity, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var routes = await db.Set<NotificationRoute>().AsNoTracking().ToListAsync(ct);
        var (matched, ids) = NotificationRouting.Select(routes, NotificationRouting.RoutingLabels(labels, severity));
        var names = await db.Set<NotificationChannel>().AsNoTracking().Where(c => ids.Contains(c.Id))
            .ToDictionaryAsync(c => c.Id, c => c.Enabled ? c.Name : c.Name + " (disabled)", ct);
        return new RoutePreview(matched.Select(r => r.IsDefault ? "Default" : r.Name).ToList(), ids,
            ids.Where(names.ContainsKey).Select(id => names[id]).ToList());
    }

    private static RoutingTable Table(List<NotificationRoute> routes)
    {
        var fallback = routes.Single(r => r.IsDefault);
        var ordered = routes.Where(r => !r.IsDefault).OrderBy(r => r.Position).ThenBy(r => r.Id)
            .Select(r => new RouteView(r.Id, r.Position, r.Name, r.Matchers, r.ChannelIds, r.Continue)).ToList();
        var latest = routes.MaxBy(r => r.UpdatedAt)!;
        return new RoutingTable(ordered, fallback.ChannelIds, latest.UpdatedBy, latest.UpdatedAt);
    }
}
