using System.Globalization;
using System.Text.RegularExpressions;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Deploys.Config;
using OpsPortal.Core.Tickets;

namespace OpsPortal.Core.Deploys;

/// <summary>
/// "Ticket, or it didn't happen", through the tickets feature's <see cref="TicketHook"/>: a given
/// ticket is linked to the deploy; where the environment requires one and none is given, a deploy
/// ticket is created with the details. When the deploy ends its ticket gets the outcome (resolved on
/// success, flagged and reopened on failure). Both happen in the caller's transaction.
/// </summary>
public sealed partial class DeployTickets(TicketHook hook)
{
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]{0,9}-\d{1,18}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Key();

    internal static bool LooksLikeKey(string text) => Key().IsMatch(text);

    /// <returns>Refused when the given ticket does not exist.</returns>
    internal async Task<Result> AttachAsync(OpsDbContext db, Deploy deploy, EnvironmentConfig target, string? ticket, Actor actor, CancellationToken ct)
    {
        var subjectId = DeployStarter.Id(deploy);
        if (ticket is not null)
        {
            var linked = await hook.LinkAsync(db, ticket, TicketLinkTargets.Deploy, subjectId, actor, ct);
            if (linked.TryGet(out var found, out var refusal))
            {
                deploy.TicketKey = found.Key;
                return Result.Ok;
            }
            // The ticket is part of the request: one that does not exist is bad input, not a missing deploy.
            return refusal.Kind == RefusalKind.NotFound ? Refusal.Invalid($"There is no ticket {ticket}.", "Unknown ticket") : refusal;
        }
        if (!target.TicketRequired)
        {
            return Result.Ok;
        }
        var what = deploy.Action == DeployAction.Rollback ? "Rollback of" : "Deploy";
        var created = await hook.CreateForAsync(db, new LinkedTicketRequest(
            "deploy",
            $"{what} {deploy.Service} {deploy.Version} to {deploy.Environment}",
            Description(deploy),
            deploy.Service,
            "P3",
            TicketLinkTargets.Deploy,
            subjectId), actor, ct);
        if (!created.TryGet(out var made, out var notCreated))
        {
            return notCreated;
        }
        deploy.TicketKey = made.Key;
        return Result.Ok;
    }

    internal async Task RecordOutcomeAsync(OpsDbContext db, Deploy deploy, Actor actor, CancellationToken ct)
    {
        if (deploy.TicketKey is not { } key)
        {
            return;
        }
        var took = deploy.Duration is { } d ? string.Create(CultureInfo.InvariantCulture, $" in {d.TotalSeconds:0.#} s") : "";
        var comment = $"{DeployStarter.Describe(deploy)} {deploy.Status}{took}: {deploy.Outcome}. [Output](/deploys/{deploy.Id})";
        // A refusal (the ticket deleted meanwhile) changes nothing: the deploy's own record and event still tell the story.
        await hook.RecordOutcomeAsync(db, key, deploy.Status == DeployStatus.Succeeded, comment, actor, ct);
    }

    private static string Description(Deploy deploy) => $"""
        {deploy.RequestedBy} asked for this {deploy.Action} in OpsPortal; the portal opened this ticket because {deploy.Environment} requires one.

        - Service: {deploy.Service}
        - Environment: {deploy.Environment}
        - Version: {deploy.PreviousVersion ?? "(none)"} → {deploy.Version}
        - Script: {deploy.Script}
        {(deploy.DiffUrl is null ? "" : $"- Changes: {deploy.DiffUrl}")}

        [Follow the deploy](/deploys/{deploy.Id})
        """;
}
