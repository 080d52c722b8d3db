using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Incidents;

/// <summary>
/// The safety interlock: while a SEV1 or SEV2 incident is open on a service, deploying it needs an
/// explicit override with a reason, which goes on each such incident's timeline (in the deploy's own
/// transaction: no deploy, no override event). Rollbacks stay one click: they are how incidents end.
/// </summary>
internal sealed class IncidentDeployCheck(EventLog events) : IDeployCheck
{
    public const int MaxReason = 500;

    public async Task<Result> CheckAsync(DeployCheckContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Action == DeployAction.Rollback)
        {
            return Result.Ok;
        }
        var service = context.Target.Service;
        var blocking = await context.Db.Incidents.AsNoTracking()
            .Where(i => i.Status != IncidentStatus.Resolved && i.Severity <= IncidentSeverity.Sev2 && i.Services.Contains(service))
            .OrderBy(i => i.Severity).ThenBy(i => i.Id)
            .ToListAsync(ct);
        if (blocking.Count == 0)
        {
            return Result.Ok;
        }
        var names = string.Join(", ", blocking.Select(IncidentService.IncidentName));
        var reason = context.OverrideReason?.Trim();
        if (string.IsNullOrEmpty(reason))
        {
            return Refusal.Conflict($"{names} is open on {service}. To deploy anyway, give a reason for the override: it goes on the incident's timeline with your name. A rollback needs no override.",
                "Open incident on this service").AsOverridable();
        }
        if (reason.Length > MaxReason)
        {
            return Refusal.Invalid($"Keep the override reason under {MaxReason} characters.", "Override reason too long");
        }
        foreach (var incident in blocking)
        {
            events.Append(context.Db, context.Actor.Name, IncidentEventKinds.DeployOverride, IncidentEventKinds.SubjectType,
                incident.Id.ToString(CultureInfo.InvariantCulture),
                $"{context.Actor.Name} overrode the {Incident.SeverityName(incident.Severity)} interlock to deploy {service}/{context.Target.Name} {context.Version}: {reason}",
                service, new { environment = context.Target.Name, context.Version, reason });
        }
        return Result.Ok;
    }
}
