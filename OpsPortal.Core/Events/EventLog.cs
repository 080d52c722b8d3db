using System.Text.Json;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Events;

/// <summary>
/// Appends events to the caller's <see cref="OpsDbContext"/>, so they commit (or roll back) with the
/// change they record. <see cref="OpsDbContext.SaveChangesAsync(CancellationToken)"/> sends the
/// NOTIFY that carries them to every app process.
/// </summary>
public sealed class EventLog(TimeProvider clock)
{
    public OpsEvent Append(OpsDbContext db, string actor, string kind, string subjectType, string subjectId,
        string summary, string? service = null, object? payload = null)
    {
        var ev = new OpsEvent
        {
            OccurredAt = clock.GetUtcNow(),
            Actor = actor,
            Kind = kind,
            SubjectType = subjectType,
            SubjectId = subjectId,
            Service = service,
            Summary = summary,
            Payload = payload is null ? null : JsonSerializer.SerializeToDocument(payload, payload.GetType()),
        };
        db.Events.Add(ev);
        return ev;
    }
}
