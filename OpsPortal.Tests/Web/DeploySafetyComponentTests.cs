using Bunit;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Deploys.Config;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Features.Deploys;
using OpsPortal.Web.Features.Services;

namespace OpsPortal.Tests.Web;

/// <summary>What blocks a deploy, what a promotion would bring and when the next freeze comes: said on the card before anyone clicks.</summary>
public sealed class DeploySafetyComponentTests : MudComponentTest
{
    private static readonly DateTimeOffset At = new(2026, 12, 4, 16, 0, 0, TimeSpan.Zero);

    private static EnvironmentConfig Config(string env, string role = Roles.Engineer) =>
        new("shop", env, "/s/deploy.sh", null, null, TimeSpan.FromMinutes(1), role, false, null, "/s");

    private static DeployLock Lock(string service, string env, bool weekly = false, long id = 7) => new()
    {
        Id = id,
        Service = service,
        Environment = env,
        Reason = "DB upgrade",
        LockedBy = "ann@test",
        LockedAt = At,
        StartsAt = At,
        ExpiresAt = At.AddHours(2),
        RepeatsWeekly = weekly,
    };

    private static readonly DriftCell Behind = new("production", "1.4", "staging", "1.5");

    [Fact]
    public void TargetCard_Locked_DeployAndRollbackDisabled_ReasonOnHover_NoPromote()
    {
        var held = Lock("shop", "production");
        var cut = Ctx.Render<DeployTargetCard>(p => p.Add(x => x.T, new DeployTarget(Config("production"), "1.4", null, null, held))
            .Add(x => x.CanRun, true).Add(x => x.Blocked, held).Add(x => x.Drift, Behind));

        Assert.True(cut.Find("[data-testid=target-deploy]").HasAttribute("disabled"));
        Assert.True(cut.Find("[data-testid=target-rollback]").HasAttribute("disabled"));
        Assert.Equal("shop/production is locked by ann@test since 2026-12-04 16:00 until 2026-12-04 18:00 UTC: DB upgrade",
            cut.Find("[data-testid=target-deploy-wrapper]").GetAttribute("title"));
        Assert.Empty(cut.FindAll("[data-testid=target-promote]"));
    }

    [Fact]
    public void TargetCard_BehindThePreviousEnvironment_SaysSo_OffersPromotion_DeployEnabled()
    {
        var promoted = false;
        var cut = Ctx.Render<DeployTargetCard>(p => p.Add(x => x.T, new DeployTarget(Config("production"), "1.4", null, null, null))
            .Add(x => x.CanRun, true).Add(x => x.Drift, Behind).Add(x => x.OnPromote, () => promoted = true));

        Assert.False(cut.Find("[data-testid=target-deploy]").HasAttribute("disabled"));
        Assert.Null(cut.Find("[data-testid=target-deploy-wrapper]").GetAttribute("title"));
        Assert.Contains("staging runs 1.5", cut.Find("[data-testid=target-drift]").TextContent, StringComparison.Ordinal);
        cut.Find("[data-testid=target-promote]").Click();
        Assert.True(promoted);
    }

    [Fact]
    public void TargetCard_InSync_NoPromotion_ViewerNoButtons()
    {
        var cut = Ctx.Render<DeployTargetCard>(p => p.Add(x => x.T, new DeployTarget(Config("production"), "1.5", null, null, null))
            .Add(x => x.CanRun, true).Add(x => x.Drift, Behind with { Version = "1.5" }));
        Assert.Empty(cut.FindAll("[data-testid=target-promote]"));
        Assert.Empty(cut.FindAll("[data-testid=target-drift]"));

        var viewer = Ctx.Render<DeployTargetCard>(p => p.Add(x => x.T, new DeployTarget(Config("production"), "1.4", null, null, null))
            .Add(x => x.CanRun, false).Add(x => x.Drift, Behind));
        Assert.Empty(viewer.FindAll("[data-testid=target-promote]"));
        Assert.Empty(viewer.FindAll("[data-testid=target-deploy]"));
    }

    [Fact]
    public void MaintenanceWindows_WeeklyFreezeAndALock_ListedWithTimesAndReasons_RemoveOnlyWhereAllowed()
    {
        var weekly = Lock("*", "*", weekly: true);
        var later = Lock("shop", "staging", id: 8);
        var cut = Ctx.Render<MaintenanceWindows>(p => p.Add(x => x.Upcoming,
                [new UpcomingLock(weekly, At.AddDays(7), At.AddDays(7).AddHours(2)), new UpcomingLock(later, At.AddDays(1), null)])
            .Add(x => x.CanRelease, l => !l.IsFreeze).Add(x => x.OnRelease, (DeployLock _) => { }));

        var rows = cut.FindAll("[data-testid=maintenance-window]");
        Assert.Equal(2, rows.Count);
        Assert.Contains("All deploys", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("Fri 2026-12-11 16:00 → Fri 2026-12-11 18:00 UTC (every week)", rows[0].TextContent, StringComparison.Ordinal);
        Assert.Contains("shop/staging", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("until released", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Null(rows[0].QuerySelector("[data-testid=maintenance-window-remove]"));
        Assert.NotNull(rows[1].QuerySelector("[data-testid=maintenance-window-remove]"));
    }

    [Fact]
    public void DriftTable_ProductionBehind_MarkedAndSummarised()
    {
        var cut = Ctx.Render<DeployDriftTable>(p => p.Add(x => x.Rows,
            [new DriftRow("shop", [new DriftCell("staging", "1.5", null, null), Behind]), new DriftRow("api", [new DriftCell("staging", "3", null, null), new DriftCell("production", "3", "staging", "3")])]));

        Assert.Contains("1 service differ", cut.Find("[data-testid=deploy-drift-summary]").TextContent, StringComparison.Ordinal);
        var shop = cut.Find("[data-testid=deploy-drift-row][data-service=shop]");
        Assert.Equal(["false", "true"], shop.QuerySelectorAll("[data-testid=deploy-drift-cell]").Select(c => c.GetAttribute("data-differs")));
    }

    [Fact]
    public void ServiceVersions_ProductionBehind_PromoteOfferedToWhoMayDeployIt()
    {
        Ctx.Services.AddSingleton<MudBlazor.IDialogService, MudBlazor.DialogService>();
        EnvironmentVersion[] versions =
        [
            new("staging", "1.5", null, null, null) { Target = Config("staging"), Drift = new DriftCell("staging", "1.5", null, null) },
            new("production", "1.4", null, null, null) { Target = Config("production", Roles.Admin), Drift = Behind },
        ];

        var admin = Ctx.Render<ServiceDeploysPanel>(p => p.Add(x => x.Service, "shop").Add(x => x.Versions, versions).Add(x => x.Actor, new Actor("a", Roles.Admin)));
        var engineer = Ctx.Render<ServiceDeploysPanel>(p => p.Add(x => x.Service, "shop").Add(x => x.Versions, versions).Add(x => x.Actor, new Actor("e", Roles.Engineer)));

        var promote = admin.Find("[data-testid=service-version][data-environment=production] [data-testid=service-promote]");
        Assert.Contains("Promote 1.5 from staging", promote.TextContent, StringComparison.Ordinal);
        Assert.Single(admin.FindAll("[data-testid=service-promote]"));
        Assert.Empty(engineer.FindAll("[data-testid=service-promote]"));
    }
}
