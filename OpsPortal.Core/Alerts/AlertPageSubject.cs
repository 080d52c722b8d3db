using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.OnCall.Paging;

namespace OpsPortal.Core.Alerts;

/// <summary>Acknowledging an alert's page acknowledges the alert instance (no more repeats until it recovers).</summary>
internal sealed class AlertPageSubject(EventLog events) : IPageSubject
{
    public const string SubjectType = "alert";

    string IPageSubject.SubjectType => SubjectType;

    public async Task AcknowledgeAsync(OpsDbContext db, string subjectId, string person, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!long.TryParse(subjectId, CultureInfo.InvariantCulture, out var id)
            || await db.AlertInstances.SingleOrDefaultAsync(i => i.Id == id, ct) is not { } instance || instance.AcknowledgedAt is not null)
        {
            return;
        }
        var rule = await db.AlertRules.SingleAsync(r => r.Id == instance.RuleId, ct);
        (instance.AcknowledgedAt, instance.AcknowledgedBy, instance.AckComment) = (at, person, "acknowledged from the page");
        AlertRoundWriter.Record(events, db, rule, instance, AlertEventKinds.Acknowledged, instance.HardState, instance.HardState, at,
            $"{person} acknowledged {AlertRoundWriter.Title(rule, instance)} (from the page)", new { group = instance.GroupKey, via = "page" }, person);
    }
}
