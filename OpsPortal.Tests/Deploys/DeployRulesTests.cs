using System.Text.RegularExpressions;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Deploys.Config;
using OpsPortal.Core.Deploys.Running;

namespace OpsPortal.Tests.Deploys;

public sealed class DeployRulesTests
{
    [Theory]
    [InlineData("1.0.0")]
    [InlineData("v2.3.4-rc.1+build.7")]
    [InlineData("a")]
    [InlineData("20261126_1")]
    public void ValidVersions(string version) => Assert.Null(DeployVersion.Problem(version));

    [Theory]
    [InlineData("1.0;rm -rf /")]
    [InlineData("$(id)")]
    [InlineData("`id`")]
    [InlineData("-rf")]
    [InlineData(".hidden")]
    [InlineData("1.0 2.0")]
    [InlineData("1.0\n2.0")]
    [InlineData("../../etc/passwd")]
    [InlineData("")]
    [InlineData(null)]
    public void InvalidVersions(string? version) => Assert.NotNull(DeployVersion.Problem(version));

    [Fact]
    public void VersionLongerThan128_IsRefused() => Assert.NotNull(DeployVersion.Problem(new string('1', 129)));

    private static EnvironmentConfig Target(string role) =>
        new("web", "production", "/s/deploy.sh", null, null, TimeSpan.FromMinutes(1), role, false, null, "/s");

    [Theory]
    [InlineData(Roles.Viewer, Roles.Engineer, false)]
    [InlineData(Roles.Engineer, Roles.Engineer, true)]
    [InlineData(Roles.Admin, Roles.Engineer, true)]
    [InlineData(Roles.Engineer, Roles.Admin, false)]
    [InlineData(Roles.Admin, Roles.Admin, true)]
    [InlineData(Roles.Viewer, Roles.Admin, false)]
    public void RoleRule(string actorRole, string targetRole, bool allowed) =>
        Assert.Equal(allowed, DeployGuard.CanRun(new Actor("x", actorRole), Target(targetRole)));

    [Fact]
    public void LockDescriptions_SayWhoWhyAndSince()
    {
        var at = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
        var target = new DeployLock { Service = "web", Environment = "production", Reason = "DB upgrade", LockedBy = "ann", LockedAt = at, StartsAt = at };
        var freeze = new DeployLock { Service = "*", Environment = "*", Reason = "Black Friday", LockedBy = "bob", LockedAt = at, StartsAt = at };

        Assert.Equal("web/production is locked by ann since 2026-11-26 10:00 UTC: DB upgrade", DeployGuard.Describe(target));
        Assert.Equal("All deploys are frozen by bob since 2026-11-26 10:00 UTC: Black Friday", DeployGuard.Describe(freeze));
        Assert.True(freeze.IsFreeze);
        Assert.False(target.IsFreeze);
    }

    [Fact]
    public void SecretMasker_MasksEveryPatternMatch()
    {
        var masker = new SecretMasker([new Regex("password=\\S+"), new Regex("AKIA[0-9A-Z]{16}")]);

        Assert.Equal("login •••••• key ••••••", masker.Apply("login password=hunter2 key AKIAABCDEFGHIJKLMNOP"));
    }

    [Fact]
    public void LongAndNulLines_AreCleaned()
    {
        Assert.Equal("a\uFFFDb", DeployOutputSink.Clean("a\0b", 100));
        Assert.Equal("abc … [2 more characters cut]", DeployOutputSink.Clean("abcde", 3));
    }
}
