using OpsPortal.Core.OnCall.Escalation;

namespace OpsPortal.Web.Features.OnCall;

/// <summary>The policy editor's model, turned into the same <see cref="PolicyInput"/> the API takes.</summary>
public sealed class PolicyForm
{
    public long? Id { get; set; }
    public int? Version { get; set; }
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public int Repeat { get; set; }
    public bool IsDefault { get; set; }
    public List<LevelForm> Levels { get; set; } = [];

    /// <summary>A new policy: one level paging the first schedule (if any) for 5 minutes.</summary>
    public static PolicyForm New(long? firstSchedule) => new()
    {
        Levels = [new LevelForm { Targets = [firstSchedule is { } id ? new TargetForm { Kind = "schedule", ScheduleId = id } : new TargetForm { Kind = "user" }] }],
    };

    public static PolicyForm From(EscalationPolicy p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new PolicyForm
        {
            Id = p.Id,
            Version = p.Version,
            Name = p.Name,
            Description = p.Description,
            Repeat = p.Repeat,
            IsDefault = p.IsDefault,
            Levels = [.. p.Levels.Select(l => new LevelForm
            {
                TimeoutMinutes = l.TimeoutMinutes,
                Targets = [.. l.Targets.Select(t => new TargetForm
                {
                    Kind = t.Kind switch { EscalationTargetKind.Schedule => "schedule", EscalationTargetKind.Person => "user", _ => "channel" },
                    ScheduleId = t.ScheduleId,
                    Person = t.Person,
                    ChannelId = t.ChannelId,
                })],
            })],
        };
    }

    public PolicyInput ToInput() => new(Name, Description,
        [.. Levels.Select(l => new LevelInput(l.TimeoutMinutes, [.. l.Targets.Select(t => t.ToInput())]))], Repeat, IsDefault, Version);
}

public sealed class LevelForm
{
    public int? TimeoutMinutes { get; set; } = 5;
    public List<TargetForm> Targets { get; set; } = [];
}

public sealed class TargetForm
{
    /// <summary><c>schedule</c>, <c>user</c> or <c>channel</c> (channels are kept as they are; the API sets them).</summary>
    public string Kind { get; set; } = "schedule";
    public long? ScheduleId { get; set; }
    public string? Person { get; set; }
    public long? ChannelId { get; set; }

    public TargetInput ToInput() => Kind switch
    {
        "schedule" => new TargetInput("schedule", ScheduleId: ScheduleId),
        "user" => new TargetInput("user", Person: Person?.Trim()),
        _ => new TargetInput("channel", ChannelId: ChannelId),
    };
}
