using System.Globalization;
using MudBlazor;
using OpsPortal.Core;
using OpsPortal.Core.OnCall.Paging;
using OpsPortal.Core.OnCall.Schedules;
using Page = OpsPortal.Core.OnCall.Paging.Page;

namespace OpsPortal.Web.Features.OnCall;

/// <summary>How the on-call pages write people, times and page states.</summary>
public static class OnCallText
{
    private static readonly string[] Palette = ["#1e88e5", "#43a047", "#8e24aa", "#f4511e", "#00897b", "#6d4c41", "#3949ab", "#c0ca33"];

    /// <summary>The part of an email before the @ — what a calendar bar has room for.</summary>
    public static string Short(string? person) => person is null ? "nobody" : person.Split('@')[0];

    /// <summary>One stable colour per person, so a person's shifts read as one across layers and schedules.</summary>
    public static string Colour(string? person)
    {
        if (person is null)
        {
            return "#9e9e9e";
        }
        var hash = 0;
        foreach (var c in person)
        {
            hash = unchecked((hash * 31) + c);
        }
        return Palette[(hash & int.MaxValue) % Palette.Length];
    }

    /// <summary>A time in the schedule's zone, as its people read it: "Tue 08 Dec 09:00".</summary>
    public static string Local(DateTimeOffset t, string zone) =>
        WallClock.ToWall(t, WallClock.Find(zone) ?? TimeZoneInfo.Utc).ToString("ddd dd MMM HH:mm", CultureInfo.InvariantCulture);

    public static Color StatusColor(PageStatus s) => s switch
    {
        PageStatus.Triggered => Color.Error,
        PageStatus.Acknowledged => Color.Warning,
        _ => Color.Success,
    };

    public static string SubjectHref(Page p) => p.SubjectType switch
    {
        "incident" => $"/incidents/{p.SubjectId}",
        // An alert's page is on its rule's timeline: the event subject is the rule.
        _ => $"/alerts/rules/{p.EventSubjectId}",
    };
}
