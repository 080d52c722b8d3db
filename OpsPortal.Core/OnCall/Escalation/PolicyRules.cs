namespace OpsPortal.Core.OnCall.Escalation;

/// <summary>Limits of escalation policies and the checks of <see cref="PolicyInput"/>, field by field.</summary>
internal static class PolicyRules
{
    public const int MaxName = 100;
    public const int MaxDescription = 1000;
    public const int MaxLevels = 10;
    public const int MaxTargets = 10;
    public const int MaxRepeat = 9;
    public const int MaxTimeoutMinutes = 24 * 60;

    /// <param name="schedules">Schedules by id and name; <paramref name="channels"/> the channel ids; <paramref name="users"/> as <see cref="Auth.PortalPeople.KnownAsync"/>.</param>
    public static Result<(string Name, string? Description, List<EscalationLevel> Levels, int Repeat)> Check(PolicyInput input,
        IReadOnlyDictionary<long, string> schedules, IReadOnlySet<long> channels, IReadOnlyDictionary<string, string> users)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(schedules);
        var errors = new Dictionary<string, string>();
        var name = input.Name?.Trim() ?? "";
        if (name.Length is 0 or > MaxName)
        {
            errors["name"] = $"A policy needs a name of 1 to {MaxName} characters.";
        }
        var description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim();
        if (description is { Length: > MaxDescription })
        {
            errors["description"] = $"The description is longer than {MaxDescription} characters.";
        }
        var repeat = input.Repeat ?? 0;
        if (repeat is < 0 or > MaxRepeat)
        {
            errors["repeat"] = $"Repeat is how many more times the levels are paged: 0 to {MaxRepeat}.";
        }
        var inputs = input.Levels ?? [];
        if (inputs.Count is 0 or > MaxLevels)
        {
            errors["levels"] = $"A policy needs 1 to {MaxLevels} levels.";
        }
        var levels = new List<EscalationLevel>();
        var byName = schedules.ToDictionary(s => s.Value, s => s.Key, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Math.Min(inputs.Count, MaxLevels); i++)
        {
            var at = $"levels[{i}]";
            var level = inputs[i];
            if (level?.TimeoutMinutes is not (>= 1 and <= MaxTimeoutMinutes))
            {
                errors[at + ".timeoutMinutes"] = $"Each level needs timeoutMinutes from 1 to {MaxTimeoutMinutes}.";
            }
            var targets = level?.Targets ?? [];
            if (targets.Count is 0 or > MaxTargets)
            {
                errors[at + ".targets"] = $"Each level pages 1 to {MaxTargets} targets (schedules, users, channels).";
                continue;
            }
            var parsed = new List<EscalationTarget>();
            for (var j = 0; j < targets.Count; j++)
            {
                if (Target(targets[j], byName, schedules, channels, users, out var problem) is { } target)
                {
                    parsed.Add(target);
                }
                else
                {
                    errors[$"{at}.targets[{j}]"] = problem!;
                }
            }
            levels.Add(new EscalationLevel { TimeoutMinutes = level?.TimeoutMinutes ?? 0, Targets = parsed });
        }
        if (errors.Count > 0)
        {
            return Refusal.InvalidFields(errors, "The escalation policy is not valid");
        }
        return (name, description, levels, repeat);
    }

    private static EscalationTarget? Target(TargetInput? t, Dictionary<string, long> byName, IReadOnlyDictionary<long, string> schedules,
        IReadOnlySet<long> channels, IReadOnlyDictionary<string, string> users, out string? problem)
    {
        problem = null;
        switch (t?.Kind?.Trim().ToLowerInvariant())
        {
            case "schedule":
                long? id = t.ScheduleId is { } sid && schedules.ContainsKey(sid) ? sid
                    : t.Schedule is { } sname && byName.TryGetValue(sname.Trim(), out var named) ? named : null;
                if (id is null)
                {
                    problem = "No such on-call schedule: give an existing scheduleId or schedule name.";
                    return null;
                }
                return new EscalationTarget { Kind = EscalationTargetKind.Schedule, ScheduleId = id };
            case "user" or "person":
                if (t.Person is null || !users.TryGetValue(t.Person.Trim(), out var email))
                {
                    problem = "The person must be a user of the portal (their email address).";
                    return null;
                }
                return new EscalationTarget { Kind = EscalationTargetKind.Person, Person = email };
            case "channel":
                if (t.ChannelId is not { } cid || !channels.Contains(cid))
                {
                    problem = "No such notification channel: give an existing channelId.";
                    return null;
                }
                return new EscalationTarget { Kind = EscalationTargetKind.Channel, ChannelId = cid };
            default:
                problem = "A target's kind is schedule, user or channel.";
                return null;
        }
    }
}
