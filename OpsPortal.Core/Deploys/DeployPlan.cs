using System.Globalization;

namespace OpsPortal.Core.Deploys;

/// <summary>
/// What someone asks for: a deploy of <see cref="Version"/> to a target, or the rollback of the target
/// of deploy <see cref="RollbackOf"/> (which must be its latest) to the last good version.
/// </summary>
public sealed record DeployRequest(string Service, string Environment, string? Version, string? Ticket, long? RollbackOf = null,
    string? OverrideReason = null)
{
    public static DeployRequest Deploy(string service, string environment, string? version, string? ticket = null, string? overrideReason = null) =>
        new(service, environment, version, ticket, null, overrideReason);

    public static DeployRequest Rollback(long deployId, string? ticket = null) => new("", "", null, ticket, deployId);

    /// <summary>
    /// A deploy to <paramref name="environment"/> of the version <paramref name="from"/> runs now. <paramref name="version"/> is what the
    /// person saw (null: whatever runs there); it is refused when <paramref name="from"/> has moved on since.
    /// </summary>
    public static DeployRequest Promote(string service, string from, string environment, string? version, string? ticket = null,
        string? overrideReason = null) =>
        new(service, environment, version, ticket, null, overrideReason) { PromotedFrom = from };

    /// <summary>For a promotion: the environment whose current version is deployed.</summary>
    public string? PromotedFrom { get; init; }

    public string Action => RollbackOf is null ? DeployAction.Deploy : DeployAction.Rollback;
}

/// <summary>
/// What a deploy or rollback runs: the script and the <c>OPS_*</c> environment it gets. Made once, by
/// <see cref="DeployStarter.PlanAsync"/>: the dialog shows it before anyone confirms, the starter
/// stores it as the deploy, and the runner starts the script with <see cref="Variables"/> of that
/// stored deploy (<see cref="Of"/>), so what was shown is what runs.
/// </summary>
public sealed record DeployPlan(string Service, string Environment, string Action, string Version, string? PreviousVersion,
    string Script, string? Ticket, bool OpensTicket, string RequestedBy, string? DiffUrl, long? RollbackOf)
{
    /// <summary>The plan a stored deploy was made from.</summary>
    internal static DeployPlan Of(Deploy deploy)
    {
        ArgumentNullException.ThrowIfNull(deploy);
        return new(deploy.Service, deploy.Environment, deploy.Action, deploy.Version, deploy.PreviousVersion, deploy.Script, deploy.TicketKey,
            false, deploy.RequestedBy, deploy.DiffUrl, deploy.RollbackOf);
    }

    /// <summary>The script's environment, nothing else (it starts with a cleared environment). <paramref name="deployId"/> is null before the deploy exists.</summary>
    internal IReadOnlyDictionary<string, string> Variables(long? deployId) => new Dictionary<string, string>
    {
        ["OPS_SERVICE"] = Service,
        ["OPS_ENVIRONMENT"] = Environment,
        ["OPS_VERSION"] = Version,
        ["OPS_PREVIOUS_VERSION"] = PreviousVersion ?? "",
        ["OPS_ACTION"] = Action,
        ["OPS_TICKET"] = Ticket ?? "",
        ["OPS_USER"] = RequestedBy,
        ["OPS_DEPLOY_ID"] = deployId?.ToString(CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>The confirmation text: the script, then each variable as the script will see it (placeholders for what the start decides).</summary>
    public string Describe() => Script + "\n" + string.Join("\n", Variables(null).Select(v => $"  {v.Key}={v.Key switch
    {
        "OPS_DEPLOY_ID" => "(the new deploy's number)",
        "OPS_TICKET" when Ticket is null && OpensTicket => "(a new deploy ticket)",
        _ => v.Value,
    }}"));
}
