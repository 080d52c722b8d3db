using OpsPortal.Core;
using OpsPortal.Core.Notifications;

namespace OpsPortal.Tests.Notifications;

public sealed class NotificationRoutingTests
{
    private static NotificationRoute Route(int position, string matchers, long[] channels, bool cont = false, bool isDefault = false) => new()
    {
        Id = position + 1,
        Position = position,
        Name = $"r{position}",
        Matchers = RouteMatcher.Parse(matchers).Value,
        ChannelIds = [.. channels],
        Continue = cont,
        IsDefault = isDefault,
        UpdatedBy = "t",
    };

    private static IReadOnlyList<long> Select(IEnumerable<NotificationRoute> routes, string severity, params (string, string)[] labels) =>
        NotificationRouting.Select(routes, NotificationRouting.RoutingLabels(labels.ToDictionary(l => l.Item1, l => l.Item2), severity)).ChannelIds;

    [Fact]
    public void Select_FirstMatchingRouteInPositionOrder_StopsThere()
    {
        var routes = new[] { Route(2, "service=web", [3]), Route(1, "service=web, severity=critical", [1, 2]), Route(0, "", [9], isDefault: true) };

        Assert.Equal([1, 2], Select(routes, "critical", ("service", "web")));
        Assert.Equal([3], Select(routes, "warning", ("service", "web")));
    }

    [Fact]
    public void Select_ContinueRoute_AddsLaterMatches_Distinct()
    {
        var routes = new[] { Route(0, "severity=~critical|warning", [1, 2], cont: true), Route(1, "service=web", [2, 3]), Route(2, "", [9], isDefault: true) };

        Assert.Equal([1, 2, 3], Select(routes, "warning", ("service", "web")));
    }

    [Fact]
    public void Select_NoRouteMatches_DefaultRouteApplies()
    {
        var routes = new[] { Route(0, "service=web", [1]), Route(5, "", [7, 8], isDefault: true) };

        Assert.Equal([7, 8], Select(routes, "info", ("service", "db")));
        Assert.Equal([1], Select(routes, "info", ("service", "web")));
    }

    [Fact]
    public void Matches_MissingLabelIsEmpty_RegexIsAnchored()
    {
        var labels = new Dictionary<string, string> { ["service"] = "web-api" };

        Assert.True(new RouteMatcher("team", "!=", "ops").Matches(labels));
        Assert.False(new RouteMatcher("team", "=", "ops").Matches(labels));
        Assert.False(new RouteMatcher("service", "=~", "web").Matches(labels));
        Assert.True(new RouteMatcher("service", "=~", "web.*").Matches(labels));
        Assert.True(new RouteMatcher("service", "!~", "db.*").Matches(labels));
    }

    [Fact]
    public void Parse_QuotedValuesAndOperators_RoundTrips()
    {
        var parsed = RouteMatcher.Parse(" service = web, severity=~\"critical|warning\", host!~\"db 1,2\" , team!=ops").Value;

        Assert.Equal([new RouteMatcher("service", "=", "web"), new RouteMatcher("severity", "=~", "critical|warning"),
            new RouteMatcher("host", "!~", "db 1,2"), new RouteMatcher("team", "!=", "ops")], parsed);
        Assert.Equal(parsed, RouteMatcher.Parse(RouteMatcher.Format(parsed)).Value);
        Assert.Empty(RouteMatcher.Parse("  ").Value);
    }

    [Theory]
    [InlineData("service", "no operator")]
    [InlineData("=web", "no label")]
    [InlineData("service=~(", "bad regex")]
    [InlineData("host=\"open", "unclosed quote")]
    public void Parse_Malformed_RefusedWithTheField(string text, string why)
    {
        var result = RouteMatcher.Parse(text);

        Assert.False(result.Succeeded, why);
        Assert.Equal(RefusalKind.Invalid, result.Refusal!.Kind);
        Assert.True(result.Refusal.Errors.ContainsKey("matchers"));
    }
}
