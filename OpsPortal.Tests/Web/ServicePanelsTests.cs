using Bunit;
using OpsPortal.Core.Alerts;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Logs.Search;
using OpsPortal.Core.Services;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Features.Services;

namespace OpsPortal.Tests.Web;

/// <summary>The service page's panels: what a person at 3 a.m. reads first must say the right thing.</summary>
public sealed class ServicePanelsTests : MudComponentTest
{
    private static readonly DateTime T0 = new(2026, 12, 4, 22, 0, 0, DateTimeKind.Utc);

    private static ServiceHealthNow Health(long requests, long errors, int minutes = 60)
    {
        var points = Enumerable.Range(0, minutes).Select(i => new TrafficPoint(T0.AddMinutes(i), requests / 15, errors / 15, 0.120)).ToList();
        var to = new DateTimeOffset(T0.AddMinutes(minutes), TimeSpan.Zero);
        return new ServiceHealthNow("host:shop.test", to.AddMinutes(-15), to, requests, requests / 15.0,
            requests == 0 ? null : (double)errors / requests, requests == 0 ? null : 0.120, requests == 0 ? null : 0.300,
            new TrafficSeries(TimeSpan.FromMinutes(1), points));
    }

    private static Deploy Deploy(long id, string env, string version, string action = DeployAction.Deploy) => new()
    {
        Id = id,
        Service = "shop",
        Environment = env,
        Action = action,
        Version = version,
        Status = DeployStatus.Succeeded,
        RequestedBy = "ana@test",
        Script = "deploy.sh",
        RequestedAt = new DateTimeOffset(T0.AddMinutes(30), TimeSpan.Zero),
        FinishedAt = new DateTimeOffset(T0.AddMinutes(31), TimeSpan.Zero),
    };

    [Fact]
    public void Health_ErrorsAboveTwoPercent_RedNumbers_ChartsWithTheDeployMarked()
    {
        var cut = Ctx.Render<ServiceHealthPanel>(p => p.Add(x => x.Health, Health(1500, 75)).Add(x => x.Deploys, [Deploy(7, "production", "2.0")]));

        Assert.Contains("5 %", cut.Find("[data-testid=health-errors]").TextContent, StringComparison.Ordinal);
        Assert.Equal("true", cut.Find("[data-testid=health-errors] [data-bad]").GetAttribute("data-bad"));
        Assert.Contains("100", cut.Find("[data-testid=health-rate]").TextContent, StringComparison.Ordinal);
        Assert.Contains("120 ms", cut.Find("[data-testid=health-p95]").TextContent, StringComparison.Ordinal);
        Assert.Equal("60", cut.Find("[data-testid=service-chart-requests]").GetAttribute("data-points"));
        Assert.Single(cut.FindAll("[data-testid=service-chart-errors] [data-testid=chart-marker]"));
        Assert.Contains("q=host%3Ashop.test", cut.Find("[data-testid=service-logs-link]").GetAttribute("href"), StringComparison.Ordinal);
    }

    [Fact]
    public void Health_HealthyTraffic_NothingRed()
    {
        var cut = Ctx.Render<ServiceHealthPanel>(p => p.Add(x => x.Health, Health(1500, 3)));

        Assert.Empty(cut.FindAll("[data-bad=true]"));
        Assert.Empty(cut.FindAll("[data-testid=health-no-traffic]"));
    }

    [Fact]
    public void Health_NoRequests_SaysSoInWords()
    {
        var cut = Ctx.Render<ServiceHealthPanel>(p => p.Add(x => x.Health, Health(0, 0)));

        Assert.Contains("No requests matched", cut.Find("[data-testid=health-no-traffic]").TextContent, StringComparison.Ordinal);
        Assert.Equal("true", cut.Find("[data-testid=health-rate] [data-bad]").GetAttribute("data-bad"));
    }

    [Fact]
    public void Health_SelectorDoesNotParse_ErrorShown_NoCharts()
    {
        var cut = Ctx.Render<ServiceHealthPanel>(p => p.Add(x => x.Error, "The log selector does not parse: unexpected ')'"));

        Assert.Contains("does not parse", cut.Find("[data-testid=service-health-error]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=service-chart-requests]"));
    }

    [Fact]
    public void Deploys_VersionsPerEnvironment_VerdictsAndLock_RecentDeploysLinked()
    {
        var regressed = Deploy(9, "staging", "2.1-regress");
        var freeze = new DeployLock { Service = DeployLock.Everything, Environment = DeployLock.Everything, Reason = "release week", LockedBy = "lead@test" };
        EnvironmentVersion[] versions =
        [
            new("staging", "2.1-regress", regressed, "regressed", null),
            new("production", "2.0", Deploy(7, "production", "2.0"), "healthy", freeze),
        ];

        var cut = Ctx.Render<ServiceDeploysPanel>(p => p.Add(x => x.Service, "shop").Add(x => x.Versions, versions)
            .Add(x => x.Recent, [new DeployWithVerdict(regressed, "regressed"), new DeployWithVerdict(Deploy(8, "staging", "2.0", DeployAction.Rollback), null)]));

        var staging = cut.Find("[data-testid=service-version][data-environment=staging]");
        Assert.Contains("2.1-regress", staging.TextContent, StringComparison.Ordinal);
        Assert.Equal("regressed", staging.QuerySelector("[data-testid=impact-verdict]")!.GetAttribute("data-verdict"));
        Assert.Null(staging.QuerySelector("[data-testid=service-version-lock]"));
        var production = cut.Find("[data-testid=service-version][data-environment=production]");
        Assert.Contains("frozen", production.QuerySelector("[data-testid=service-version-lock]")!.TextContent, StringComparison.Ordinal);
        var recent = cut.FindAll("[data-testid=service-deploy]");
        Assert.Equal(["9", "8"], recent.Select(r => r.GetAttribute("data-deploy")));
        Assert.Contains("rollback to", recent[1].TextContent, StringComparison.Ordinal);
        Assert.Empty(recent[1].QuerySelectorAll("[data-testid=impact-verdict]"));
    }

    [Fact]
    public void Deploys_ServiceWithoutTargets_SaysHowToAddThem()
    {
        var cut = Ctx.Render<ServiceDeploysPanel>(p => p.Add(x => x.Service, "postgres"));

        Assert.Contains("services.yaml", cut.Find("[data-testid=service-deploys]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=service-versions]"));
    }

    [Fact]
    public void Alerts_InTheOrderGiven_WithStateAndAck_NoneSaysNothingFiring()
    {
        static AlertView View(long id, string name, AlertState state, string? ackBy = null) => new(
            new AlertInstance { Id = id, RuleId = id, HardState = state, State = state, Since = DateTimeOffset.UnixEpoch, AcknowledgedBy = ackBy },
            new AlertRule { Id = id, Name = name, Service = "shop", CreatedBy = "a@test" }, Silenced: false);

        var cut = Ctx.Render<ServiceAlertsPanel>(p => p.Add(x => x.Alerts, [View(1, "5xx high", AlertState.Critical, "bo@test"), View(2, "p95 slow", AlertState.Warning)]));
        var empty = Ctx.Render<ServiceAlertsPanel>();

        var rows = cut.FindAll("[data-testid=service-alert]");
        Assert.Equal(["CRITICAL", "WARNING"], rows.Select(r => r.GetAttribute("data-state")));
        Assert.Contains("ack by bo@test", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Equal("/alerts/rules/1", rows[0].QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("Nothing firing", empty.Find("[data-testid=service-alerts-ok]").TextContent, StringComparison.Ordinal);
    }
}
