namespace OpsPortal.Core.Alerts;

/// <summary>What one result did to an instance: each is a line of history and an event on the spine.</summary>
internal sealed record AlertChange(string Kind, AlertState From, AlertState To, string Summary);

/// <summary>
/// Nagios' state logic, pure: a non-OK result is soft until <c>hardAfter</c> consecutive non-OK results, a
/// change between non-OK states of a hard problem is hard at once, and any OK result after a problem is a
/// recovery (hard when the problem was). Flapping: the share of state changes among the last
/// <see cref="FlapWindow"/> results above <see cref="FlapStart"/> starts it, below <see cref="FlapStop"/> ends it.
/// </summary>
internal static class AlertStateMachine
{
    public const int FlapWindow = 21;
    public const double FlapStart = 0.5;
    public const double FlapStop = 0.25;

    public static List<AlertChange> Apply(AlertInstance instance, AlertState result, int hardAfter, DateTimeOffset now)
    {
        var changes = new List<AlertChange>();
        var before = instance.State;
        var hardBefore = instance.HardState;

        if (result == AlertState.Ok)
        {
            instance.Attempt = 0;
            instance.State = AlertState.Ok;
            if (hardBefore != AlertState.Ok)
            {
                instance.Hard = true;
                instance.HardState = AlertState.Ok;
                instance.Since = now;
                instance.FirstFiringAt = null;
                // Recovery ends the acknowledgement: the next problem must be acknowledged again.
                instance.AcknowledgedAt = null;
                instance.AcknowledgedBy = null;
                instance.AckComment = null;
                // One incident per firing: the next problem declares its own (the ended one keeps its link via the ticket and the events).
                instance.IncidentId = null;
                instance.IncidentRefusedVersion = null;
                changes.Add(new AlertChange(AlertEventKinds.Recovered, hardBefore, AlertState.Ok, "recovered"));
            }
            else if (before != AlertState.Ok)
            {
                instance.Hard = true;
                instance.FirstFiringAt = null;
                changes.Add(new AlertChange(AlertEventKinds.SoftChanged, before, AlertState.Ok, "soft recovery"));
            }
        }
        else if (hardBefore != AlertState.Ok)
        {
            // A hard problem that changes severity changes hard at once.
            instance.State = result;
            instance.Hard = true;
            instance.Attempt = Math.Max(instance.Attempt, hardAfter);
            if (result != hardBefore)
            {
                instance.HardState = result;
                instance.Since = now;
                changes.Add(new AlertChange(AlertEventKinds.Fired, hardBefore, result, "changed"));
            }
        }
        else
        {
            instance.Attempt = before == AlertState.Ok ? 1 : instance.Attempt + 1;
            instance.State = result;
            instance.FirstFiringAt ??= now;
            if (instance.Attempt >= Math.Max(1, hardAfter))
            {
                instance.Hard = true;
                instance.HardState = result;
                instance.Since = now;
                changes.Add(new AlertChange(AlertEventKinds.Fired, AlertState.Ok, result, "fired"));
            }
            else
            {
                instance.Hard = false;
                if (before != result)
                {
                    changes.Add(new AlertChange(AlertEventKinds.SoftChanged, before, result,
                        $"soft {instance.Attempt}/{hardAfter}"));
                }
            }
        }

        instance.History = (instance.History + Letter(result)) is var h && h.Length > FlapWindow ? h[^FlapWindow..] : h;
        var share = ChangeShare(instance.History);
        if (!instance.Flapping && share > FlapStart)
        {
            instance.Flapping = true;
            changes.Add(new AlertChange(AlertEventKinds.FlappingStarted, result, result, $"flapping ({share:P0} of the last results changed state)"));
        }
        else if (instance.Flapping && share < FlapStop)
        {
            instance.Flapping = false;
            changes.Add(new AlertChange(AlertEventKinds.FlappingStopped, result, result, "stopped flapping"));
        }
        instance.LastEvaluatedAt = now;
        return changes;
    }

    /// <summary>State changes among consecutive results, as a share of the possible changes (0 with fewer than two results).</summary>
    public static double ChangeShare(string history)
    {
        if (history.Length < 2)
        {
            return 0;
        }
        var changes = 0;
        for (var i = 1; i < history.Length; i++)
        {
            if (history[i] != history[i - 1])
            {
                changes++;
            }
        }
        return (double)changes / (FlapWindow - 1);
    }

    public static char Letter(AlertState s) => s switch
    {
        AlertState.Ok => 'O',
        AlertState.Warning => 'W',
        AlertState.Critical => 'C',
        _ => 'U',
    };
}

internal enum NotificationKind
{
    Problem,
    Repeat,
    Recovery,
}

/// <summary>When to notify, from the instance alone, so a missed round, a silence that ends or a flap that stops catch up by themselves.</summary>
internal static class AlertNotifyPolicy
{
    public static NotificationKind? Decide(AlertInstance i, bool silenced, TimeSpan repeat, DateTimeOffset now)
    {
        if (silenced || i.Flapping || !i.Hard)
        {
            return null;
        }
        if (i.HardState == AlertState.Ok)
        {
            // Recovery is announced only for a problem that was announced.
            return i.NotifiedState is { } n && n != AlertState.Ok ? NotificationKind.Recovery : null;
        }
        if (i.NotifiedState != i.HardState)
        {
            return NotificationKind.Problem;
        }
        return i.AcknowledgedAt is null && repeat > TimeSpan.Zero && i.NotifiedAt is { } at && now - at >= repeat
            ? NotificationKind.Repeat
            : null;
    }
}
