using System.Globalization;

namespace OpsPortal.Core.OnCall.Schedules;

/// <summary>Limits of schedules and the checks of <see cref="ScheduleInput"/>: every problem is reported per field, nothing is half-saved.</summary>
internal static class ScheduleRules
{
    public const int MaxName = 100;
    public const int MaxDescription = 1000;
    public const int MaxLayers = 10;
    public const int MaxPeople = 50;
    public const int MaxShiftHours = 24 * 28;
    public static readonly TimeSpan MaxOverride = TimeSpan.FromDays(31);

    private static readonly Dictionary<string, DayOfWeek> Days = Enum.GetValues<DayOfWeek>()
        .SelectMany(d => new[] { (Key: d.ToString()[..3], Day: d), (Key: d.ToString(), Day: d) })
        .ToDictionary(x => x.Key, x => x.Day, StringComparer.OrdinalIgnoreCase);

    /// <summary>The short name the API uses for a day (<c>mon</c>).</summary>
    public static string DayName(DayOfWeek day) => day.ToString()[..3].ToLowerInvariant();

    /// <summary>Parses and checks a schedule; <paramref name="knownUsers"/> maps users' emails (any case) to how they are stored: people must be users.</summary>
    public static Result<(string Name, string? Description, string TimeZone, List<ScheduleLayer> Layers)> Check(
        ScheduleInput input, IReadOnlyDictionary<string, string> knownUsers)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new Dictionary<string, string>();
        var name = input.Name?.Trim() ?? "";
        if (name.Length is 0 or > MaxName)
        {
            errors["name"] = $"A schedule needs a name of 1 to {MaxName} characters.";
        }
        var description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim();
        if (description is { Length: > MaxDescription })
        {
            errors["description"] = $"The description is longer than {MaxDescription} characters.";
        }
        var zone = WallClock.Find(input.TimeZone);
        if (zone is null)
        {
            errors["timeZone"] = "The time zone must be an IANA time zone id such as Europe/Berlin, America/New_York or UTC.";
        }
        var layers = new List<ScheduleLayer>();
        var inputs = input.Layers ?? [];
        if (inputs.Count is 0 or > MaxLayers)
        {
            errors["layers"] = $"A schedule needs 1 to {MaxLayers} layers.";
        }
        for (var i = 0; i < Math.Min(inputs.Count, MaxLayers); i++)
        {
            if (Layer(inputs[i], $"layers[{i}]", knownUsers, errors) is { } layer)
            {
                layers.Add(layer with { Name = layer.Name.Length > 0 ? layer.Name : $"Layer {i + 1}" });
            }
        }
        if (errors.Count > 0)
        {
            return Refusal.InvalidFields(errors, "The schedule is not valid");
        }
        return (name, description, input.TimeZone!.Trim(), layers);
    }

    private static ScheduleLayer? Layer(LayerInput? input, string at, IReadOnlyDictionary<string, string> knownUsers, Dictionary<string, string> errors)
    {
        if (input is null)
        {
            errors[at] = "A layer cannot be empty.";
            return null;
        }
        var before = errors.Count;
        var name = input.Name?.Trim() ?? "";
        if (name.Length > MaxName)
        {
            errors[at + ".name"] = $"A layer's name has at most {MaxName} characters.";
        }
        RotationKind? rotation = input.Rotation?.Trim().ToLowerInvariant() switch
        {
            "daily" => RotationKind.Daily,
            "weekly" => RotationKind.Weekly,
            "custom" => RotationKind.Custom,
            _ => null,
        };
        if (rotation is null)
        {
            errors[at + ".rotation"] = "The rotation must be daily, weekly or custom.";
        }
        if (rotation == RotationKind.Custom && input.ShiftHours is not (>= 1 and <= MaxShiftHours))
        {
            errors[at + ".shiftHours"] = $"A custom rotation needs shiftHours from 1 to {MaxShiftHours}.";
        }
        if (!DateTime.TryParseExact(input.Start?.Trim(), ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm"],
                CultureInfo.InvariantCulture, DateTimeStyles.None, out var start) || start.Year is < 2000 or > 2200)
        {
            errors[at + ".start"] = "The start is the first hand-off as a wall-clock time in the schedule's zone, e.g. 2026-01-05T09:00 (no offset).";
        }
        var people = (input.People ?? []).Select(p => p?.Trim() ?? "").ToList();
        if (people.Count is 0 or > MaxPeople)
        {
            errors[at + ".people"] = $"A layer needs 1 to {MaxPeople} people.";
        }
        else if (people.FirstOrDefault(p => !knownUsers.ContainsKey(p)) is { } unknown)
        {
            errors[at + ".people"] = $"'{Cut(unknown)}' is not a user of the portal: people are users' email addresses.";
        }
        people = people.Select(p => knownUsers.GetValueOrDefault(p, p)).ToList();
        var restriction = input.Restriction is null ? null : Restriction(input.Restriction, at + ".restriction", errors);
        if (errors.Count > before)
        {
            return null;
        }
        return new ScheduleLayer
        {
            Name = name,
            Rotation = rotation!.Value,
            ShiftHours = rotation == RotationKind.Custom ? input.ShiftHours : null,
            Start = DateTime.SpecifyKind(start.AddSeconds(-start.Second), DateTimeKind.Unspecified),
            People = people,
            Restriction = restriction,
        };
    }

    private static LayerRestriction? Restriction(RestrictionInput input, string at, Dictionary<string, string> errors)
    {
        var days = new List<DayOfWeek>();
        foreach (var text in input.Days ?? [])
        {
            if (!Days.TryGetValue(text?.Trim() ?? "", out var day))
            {
                errors[at + ".days"] = $"'{Cut(text ?? "")}' is not a day: use mon, tue, wed, thu, fri, sat, sun.";
                return null;
            }
            if (!days.Contains(day))
            {
                days.Add(day);
            }
        }
        if (days.Count == 0)
        {
            days.AddRange(Enum.GetValues<DayOfWeek>());
        }
        if (!TimeOnly.TryParseExact(input.From?.Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
            || !TimeOnly.TryParseExact(input.To?.Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var to))
        {
            errors[at] = "A restriction needs from and to as HH:mm (to at or before from runs past midnight).";
            return null;
        }
        return new LayerRestriction { Days = [.. days.Order()], From = from, To = to };
    }

    /// <summary>Checks an override against its schedule's people rules; times must be in order and at most 31 days apart.</summary>
    public static Refusal? CheckOverride(OverrideInput input, IReadOnlyDictionary<string, string> knownUsers)
    {
        ArgumentNullException.ThrowIfNull(input);
        var errors = new Dictionary<string, string>();
        if (input.ScheduleId is null)
        {
            errors["scheduleId"] = "Name the schedule the override is for.";
        }
        if (string.IsNullOrWhiteSpace(input.Person) || !knownUsers.ContainsKey(input.Person.Trim()))
        {
            errors["person"] = "The person must be a user of the portal (their email address).";
        }
        if (!string.IsNullOrWhiteSpace(input.Replaces) && !knownUsers.ContainsKey(input.Replaces.Trim()))
        {
            errors["replaces"] = "Whom the override replaces must be a user of the portal (their email address).";
        }
        if (input.StartsAt is not { } starts || input.EndsAt is not { } ends || ends <= starts)
        {
            errors["endsAt"] = "An override needs startsAt and endsAt (ISO 8601 instants), ending after it starts.";
        }
        else if (ends - starts > MaxOverride)
        {
            errors["endsAt"] = $"An override lasts at most {MaxOverride.TotalDays:0} days; change the rotation for longer.";
        }
        if (input.Reason is { Length: > MaxDescription })
        {
            errors["reason"] = $"The reason is longer than {MaxDescription} characters.";
        }
        return errors.Count > 0 ? Refusal.InvalidFields(errors, "The override is not valid") : null;
    }

    private static string Cut(string s) => s.Length <= 80 ? s : s[..79] + "…";
}
