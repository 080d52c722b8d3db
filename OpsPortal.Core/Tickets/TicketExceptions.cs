namespace OpsPortal.Core.Tickets;

public sealed class TicketNotFoundException(string key) : Exception($"There is no ticket {key}.")
{
    public string Key { get; } = key;
}

/// <summary>Input the ticket rules refuse; <see cref="Errors"/> is keyed by field for forms and problem details.</summary>
public sealed class TicketValidationException(IReadOnlyDictionary<string, string> errors)
    : Exception(string.Join(" ", errors.Values))
{
    public IReadOnlyDictionary<string, string> Errors { get; } = errors;

    public TicketValidationException(string field, string error) : this(new Dictionary<string, string> { [field] = error })
    {
    }
}

/// <summary>A status move the workflow does not allow.</summary>
public sealed class TicketWorkflowException(TicketStatus from, TicketStatus to)
    : Exception($"A ticket cannot move from {TicketWorkflow.Label(from)} to {TicketWorkflow.Label(to)}. From {TicketWorkflow.Label(from)} it can go to: "
        + string.Join(", ", TicketWorkflow.NextFrom(from).Select(TicketWorkflow.Label)) + ".")
{
    public TicketStatus From { get; } = from;
    public TicketStatus To { get; } = to;
}

/// <summary>
/// Someone else changed the ticket since the editor loaded it. <see cref="Missed"/> lists their
/// changes (from the events), <see cref="Current"/> is the ticket as it is now.
/// </summary>
public sealed class TicketConflictException(Ticket current, int expectedVersion, IReadOnlyList<TicketChangeRecord> missed)
    : Exception($"{current.Key} was changed by someone else since you opened it (version {expectedVersion} → {current.RowVersion}): "
        + (missed.Count == 0 ? "reload to see the changes." : string.Join("; ", missed.Select(m => m.Describe()))) + ".")
{
    public Ticket Current { get; } = current;
    public int ExpectedVersion { get; } = expectedVersion;
    public IReadOnlyList<TicketChangeRecord> Missed { get; } = missed;
}
