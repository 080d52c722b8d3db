using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.OnCall.Paging;

namespace OpsPortal.Core.Incidents;

/// <summary>Acknowledging an incident's page acknowledges the incident: MTTA is measured from the real page.</summary>
internal sealed class IncidentPageSubject(EventLog events) : IPageSubject
{
    public string SubjectType => IncidentEventKinds.SubjectType;

    public async Task AcknowledgeAsync(OpsDbContext db, string subjectId, string person, DateTimeOffset at, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!long.TryParse(subjectId, CultureInfo.InvariantCulture, out var id)
            || await db.Incidents.SingleOrDefaultAsync(i => i.Id == id, ct) is not { } incident || incident.AcknowledgedAt is not null)
        {
            return;
        }
        incident.AcknowledgedAt = IncidentRules.Trim(at);
        events.Append(db, person, IncidentEventKinds.Acknowledged, IncidentEventKinds.SubjectType, subjectId,
            $"{IncidentService.IncidentName(incident)} acknowledged (from the page)", incident.Services.FirstOrDefault(), new { at = incident.AcknowledgedAt });
    }
}
