using System.Globalization;
using OpsPortal.Core;
using OpsPortal.Core.OnCall.Schedules;

namespace OpsPortal.Web.Features.OnCall;

/// <summary>The schedule editor's model: what the person types, turned into the same <see cref="ScheduleInput"/> the API takes.</summary>
public sealed class ScheduleForm
{
    public const string StartFormat = "yyyy-MM-ddTHH:mm";

    public long? Id { get; set; }
    public int? Version { get; set; }
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string TimeZone { get; set; } = "UTC";
    public List<LayerForm> Layers { get; set; } = [];

    /// <summary>A new schedule: one weekly layer handing off next Monday 09:00 in the zone.</summary>
    public static ScheduleForm New(DateTimeOffset now, string timeZone)
    {
        var wall = WallClock.ToWall(now, WallClock.Find(timeZone) ?? System.TimeZoneInfo.Utc).Date;
        var monday = wall.AddDays(((int)DayOfWeek.Monday - (int)wall.DayOfWeek + 7) % 7).AddHours(9);
        return new ScheduleForm { TimeZone = timeZone, Layers = [new LayerForm { Start = monday.ToString(StartFormat, CultureInfo.InvariantCulture) }] };
    }

    public static ScheduleForm From(OnCallSchedule s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new ScheduleForm
        {
            Id = s.Id,
            Version = s.Version,
            Name = s.Name,
            Description = s.Description,
            TimeZone = s.TimeZone,
            Layers = [.. s.Layers.Select(l => new LayerForm
            {
                Name = l.Name,
                Rotation = l.Rotation.ToString().ToLowerInvariant(),
                ShiftHours = l.ShiftHours,
                Start = l.Start.ToString(StartFormat, CultureInfo.InvariantCulture),
                People = string.Join("\n", l.People),
                Restriction = l.Restriction,
            })],
        };
    }

    public ScheduleInput ToInput() => new(Name, Description, TimeZone, [.. Layers.Select(l => l.ToInput())], Version);
}

public sealed class LayerForm
{
    public string? Name { get; set; }
    public string Rotation { get; set; } = "weekly";
    public int? ShiftHours { get; set; }
    public string? Start { get; set; }

    /// <summary>Emails in rotation order, one a line (commas work too).</summary>
    public string People { get; set; } = "";

    /// <summary>Kept as it was: the editor does not change a layer's hours-of-day restriction (the API does).</summary>
    public LayerRestriction? Restriction { get; set; }

    public LayerInput ToInput() => new(Name, Rotation, Rotation == "custom" ? ShiftHours : null, Start,
        [.. People.Split(['\n', ',', ';'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
        Restriction is null ? null : new RestrictionInput([.. Restriction.Days.Select(d => d.ToString()[..3].ToLowerInvariant())],
            Restriction.From.ToString("HH:mm", CultureInfo.InvariantCulture), Restriction.To.ToString("HH:mm", CultureInfo.InvariantCulture)));
}
