using OpsPortal.Core.Alerts;

namespace OpsPortal.Tests.Alerts;

public sealed class SilenceMatchingTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static readonly AlertRule Rule = new()
    {
        Name = "Checkout 5xx",
        Service = "checkout",
        CreatedBy = "t",
        Labels = new() { ["team"] = "payments" },
        Spec = new AlertRuleSpec { GroupBy = "host" },
    };

    private static AlertSilence Silence(params SilenceMatcher[] m) =>
        new() { Matchers = [.. m], StartsAt = Now.AddMinutes(-5), EndsAt = Now.AddMinutes(5), Reason = "deploy", CreatedBy = "ann" };

    [Fact]
    public void Matches_EveryMatcherMustMatch()
    {
        Assert.True(SilenceMatching.Matches(Silence(new SilenceMatcher("service", "checkout"), new SilenceMatcher("team", "payments")), Rule, "web1", AlertState.Critical, Now));
        Assert.False(SilenceMatching.Matches(Silence(new SilenceMatcher("service", "checkout"), new SilenceMatcher("team", "search")), Rule, "web1", AlertState.Critical, Now));
    }

    [Fact]
    public void Matches_RuleGroupSeverityAndGlobs()
    {
        Assert.True(SilenceMatching.Matches(Silence(new SilenceMatcher("rule", "checkout *")), Rule, "web1", AlertState.Critical, Now));
        Assert.True(SilenceMatching.Matches(Silence(new SilenceMatcher("group", "web*")), Rule, "web1", AlertState.Critical, Now));
        Assert.False(SilenceMatching.Matches(Silence(new SilenceMatcher("group", "web*")), Rule, "api1", AlertState.Critical, Now));
        Assert.True(SilenceMatching.Matches(Silence(new SilenceMatcher("severity", "warning")), Rule, "", AlertState.Warning, Now));
        Assert.False(SilenceMatching.Matches(Silence(new SilenceMatcher("severity", "warning")), Rule, "", AlertState.Critical, Now));
        Assert.False(SilenceMatching.Matches(Silence(new SilenceMatcher("missing_label", "*")), Rule, "", AlertState.Critical, Now));
    }

    [Fact]
    public void Matches_OnlyWhileActive()
    {
        var s = Silence(new SilenceMatcher("service", "checkout"));
        Assert.False(SilenceMatching.Matches(s, Rule, "", AlertState.Critical, Now.AddMinutes(5)));
        Assert.False(SilenceMatching.Matches(s, Rule, "", AlertState.Critical, Now.AddMinutes(-6)));
        Assert.False(SilenceMatching.Matches(Silence(), Rule, "", AlertState.Critical, Now));
    }

    [Theory]
    [InlineData("*", "anything", true)]
    [InlineData("a*c", "abc", true)]
    [InlineData("a*c", "abd", false)]
    [InlineData("*b*", "abc", true)]
    [InlineData("ab*b", "ab", false)]
    [InlineData("CHECKOUT", "checkout", true)]
    public void Glob_Cases(string pattern, string text, bool expected) => Assert.Equal(expected, SilenceMatching.Glob(pattern, text));
}
