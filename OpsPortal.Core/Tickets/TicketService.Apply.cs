using OpsPortal.Core.Data;

namespace OpsPortal.Core.Tickets;

public sealed partial class TicketService
{
    /// <summary>Checks and applies every field of <paramref name="edit"/> except status; returns what changed.</summary>
    private static async Task<Result<List<FieldChange>>> ApplyAsync(OpsDbContext db, Ticket ticket, TicketEdit edit, CancellationToken ct)
    {
        var errors = new Dictionary<string, string>();
        var changes = new List<FieldChange>();
        if (edit.Title is { } title && title.Trim() != ticket.Title)
        {
            if (TicketRules.CheckTitle(title) is { } error)
            {
                errors["title"] = error;
            }
            else
            {
                changes.Add(new FieldChange("title", ticket.Title, title.Trim()));
                ticket.Title = title.Trim();
            }
        }
        if (edit.Description is { } description && description != ticket.Description)
        {
            if (TicketRules.CheckBody(description, "description") is { } error)
            {
                errors["description"] = error;
            }
            else
            {
                // Long text goes to the activity as "edited", not as two copies.
                changes.Add(new FieldChange("description", null, null));
                ticket.Description = description;
            }
        }
        if (edit.Type is { } type && type != ticket.Type)
        {
            changes.Add(new FieldChange("type", ticket.Type.ToString(), type.ToString()));
            ticket.Type = type;
        }
        if (edit.Priority is { } priority && priority != ticket.Priority)
        {
            changes.Add(new FieldChange("priority", ticket.Priority.ToString(), priority.ToString()));
            ticket.Priority = priority;
        }
        if (edit.Assignee is { } assignee)
        {
            var checkedAssignee = await CheckAssigneeAsync(db, assignee.Value, ct);
            if (!checkedAssignee.TryGet(out var email, out var refusal))
            {
                errors["assignee"] = refusal.Errors["assignee"];
            }
            else if (email != ticket.Assignee)
            {
                changes.Add(new FieldChange("assignee", ticket.Assignee, email));
                ticket.Assignee = email;
            }
        }
        if (edit.Labels is { } labels)
        {
            if (TicketRules.NormalizeLabels(labels, out var normalized) is { } error)
            {
                errors["labels"] = error;
            }
            else if (!normalized.SequenceEqual(ticket.Labels))
            {
                changes.Add(new FieldChange("labels", TicketValues.Of(ticket.Labels), TicketValues.Of(normalized)));
                ticket.Labels = normalized;
            }
        }
        if (edit.Service is { } service)
        {
            var value = string.IsNullOrWhiteSpace(service.Value) ? null : service.Value.Trim();
            if (TicketRules.CheckService(value) is { } error)
            {
                errors["service"] = error;
            }
            else if (value != ticket.Service)
            {
                changes.Add(new FieldChange("service", ticket.Service, value));
                ticket.Service = value;
            }
        }
        if (edit.DueDate is { } due && due.Value != ticket.DueDate)
        {
            changes.Add(new FieldChange("due", TicketValues.Of(ticket.DueDate), TicketValues.Of(due.Value)));
            ticket.DueDate = due.Value;
        }
        return errors.Count > 0 ? TicketRefusals.Invalid(errors) : changes;
    }
}
