using System.Globalization;
using System.Text;
using Bunit;
using Microsoft.EntityFrameworkCore;
using MudBlazor.Services;
using OpsPortal.Core.Dashboards;
using OpsPortal.Core.Incidents;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Features.Dashboards;

namespace OpsPortal.Tests.Dashboards;

/// <summary>Panels and the kiosk rendered by bunit over the real app's services and database.</summary>
public sealed class DashboardComponentTests : ApiTestBase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private BunitContext _ctx = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _ctx = new BunitContext();
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices();
        _ctx.Services.AddFallbackServiceProvider(Factory.Services);
        // As in a live circuit: the kiosk subscribes to events and refreshes only when interactive.
        _ctx.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    public override async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Panel_LogRate_DrawsValueAndTimeAxesAndDeployMarker()
    {
        var now = DateTimeOffset.UtcNow;
        await IngestAsync(now.AddMinutes(-20), 600);
        var deployAt = now.AddMinutes(-10);
        var panel = new PanelSpec { Title = "Requests / s", Source = PanelSource.Logs, Measure = "rate", Display = PanelDisplay.Area };

        var cut = _ctx.Render<DashboardPanel>(p => p.Add(x => x.Panel, panel).Add(x => x.From, now.AddMinutes(-30)).Add(x => x.To, now)
            .Add(x => x.Markers, [new PanelMarker(deployAt, "deploy #7 shop 1.2 → production succeeded", PanelMarkerKind.Deploy, "/deploys/7")]));

        cut.WaitForAssertion(() => Assert.Equal("ready", cut.Find("[data-testid=dashboard-panel]").GetAttribute("data-state")), Patience);
        var yTicks = cut.FindAll(".ts-yaxis span").Select(s => s.TextContent).ToList();
        Assert.True(yTicks.Count >= 2 && yTicks.All(t => t.EndsWith("/s", StringComparison.Ordinal)), string.Join(" | ", yTicks));
        Assert.True(cut.FindAll(".ts-xaxis span").Count >= 2);
        var marker = Assert.Single(cut.FindAll("[data-testid=chart-marker]"));
        Assert.Equal("deploy", marker.GetAttribute("data-kind"));
        Assert.Contains("deploy #7", marker.TextContent, StringComparison.Ordinal);
        Assert.NotEqual("0", cut.Find("[data-testid=panel-chart]").GetAttribute("data-points"));
    }

    [Fact]
    public async Task Panel_NumberAndTable_ShowLatestValueAndOneRowPerHost()
    {
        var now = DateTimeOffset.UtcNow;
        await IngestAsync(now.AddMinutes(-5), 120);
        var number = _ctx.Render<DashboardPanel>(p => p.Add(x => x.Panel, new PanelSpec { Title = "Requests", Source = PanelSource.Logs, Measure = "requests", Display = PanelDisplay.Number })
            .Add(x => x.From, now.AddMinutes(-15)).Add(x => x.To, now));
        var table = _ctx.Render<DashboardPanel>(p => p.Add(x => x.Panel, new PanelSpec { Title = "By host", Source = PanelSource.Logs, Measure = "requests", Split = "host", Display = PanelDisplay.Table })
            .Add(x => x.From, now.AddMinutes(-15)).Add(x => x.To, now));

        number.WaitForAssertion(() => Assert.NotEqual("–", number.Find("[data-testid=panel-number]").TextContent), Patience);
        table.WaitForAssertion(() => Assert.Equal(["a.dash.test", "b.dash.test"],
            table.FindAll("[data-testid=panel-table] tbody tr").Select(r => r.Children[0].TextContent).Order(StringComparer.Ordinal)), Patience);
    }

    [Fact]
    public async Task Kiosk_OpenIncident_TilesAlarmedAndThreeTrafficPanelsWithAxes()
    {
        await using (var db = Database.CreateContext())
        {
            db.Incidents.Add(new Incident { Title = "Checkout down", CreatedBy = "ann@test", Severity = IncidentSeverity.Sev1, StartedAt = DateTimeOffset.UtcNow.AddMinutes(-12) });
            await db.SaveChangesAsync();
        }
        await IngestAsync(DateTimeOffset.UtcNow.AddMinutes(-10), 300);

        var kiosk = _ctx.Render<KioskView>();

        kiosk.WaitForAssertion(() => Assert.Contains("Checkout down", kiosk.Find("[data-testid=kiosk-incidents]").TextContent, StringComparison.Ordinal), Patience);
        Assert.Contains("kiosk-alarm", kiosk.Find("[data-testid=kiosk-incidents]").ClassName, StringComparison.Ordinal);
        Assert.DoesNotContain("kiosk-alarm", kiosk.Find("[data-testid=kiosk-alerts]").ClassName, StringComparison.Ordinal);
        Assert.Contains("–", kiosk.Find("[data-testid=kiosk-mttr]").TextContent, StringComparison.Ordinal);
        kiosk.WaitForAssertion(() => Assert.Equal(3, kiosk.FindAll("[data-testid=dashboard-panel][data-state=ready]").Count), Patience);
        Assert.Equal(["Requests / s", "5xx %", "p95 backend time"], kiosk.FindAll(".dash-panel-title").Select(t => t.TextContent));
        // Requests and 5xx have axes; the combined log format carries no backend time, so p95 says it has no data.
        var charts = kiosk.FindAll(".kiosk-panel .ts-chart");
        Assert.All(charts.Take(2), chart => Assert.True(chart.QuerySelectorAll(".ts-yaxis span").Length >= 2 && chart.QuerySelectorAll(".ts-xaxis span").Length >= 2));
        Assert.NotNull(charts[2].QuerySelector("[data-testid=ts-empty]"));
    }

    [Fact]
    public async Task MetricNamePicker_Typing_OffersSeenNamesByPrefix_ArrowAndEnterPickOne_PatternKept()
    {
        await using (var db = Database.CreateContext())
        {
            // Two kinds of one name are offered once; a name of another prefix is not offered.
            await db.Database.ExecuteSqlRawAsync("""
                INSERT INTO metric_series (name, kind) VALUES ('shop.orders', 1), ('shop.orders', 3), ('shop.checkout', 3), ('web.requests', 1)
                """);
        }
        var picked = new List<string?>();
        var cut = _ctx.Render(b =>
        {
            b.OpenComponent<MudBlazor.MudPopoverProvider>(0);
            b.CloseComponent();
            b.OpenComponent<MetricNamePicker>(1);
            b.AddAttribute(2, nameof(MetricNamePicker.ValueChanged), Microsoft.AspNetCore.Components.EventCallback.Factory.Create<string?>(this, picked.Add));
            b.CloseComponent();
        });

        cut.Find("input").Input("shop.");
        cut.WaitForAssertion(() => Assert.Equal(["shop.checkout", "shop.orders"], cut.FindAll(".mud-popover .mud-list-item").Select(i => i.TextContent.Trim())), Patience);
        // The first name is highlighted; ↓ moves to the next, Enter takes it.
        cut.Find("input").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "ArrowDown" });
        cut.Find("input").KeyUp(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Enter" });
        cut.WaitForAssertion(() => Assert.Equal("shop.orders", picked.LastOrDefault()), Patience);

        // A pattern offers what it could match and is kept as typed when nothing is picked.
        var search = cut.FindComponent<MetricNamePicker>().Instance;
        Assert.Equal(["web.requests"], await cut.InvokeAsync(() => search.SearchAsync("web.*", CancellationToken.None)));
        Assert.Empty(await cut.InvokeAsync(() => search.SearchAsync("nothing.", CancellationToken.None)));
    }

    [Fact]
    public void GridInEditMode_ShiftAltArrowsAndTheHandle_ResizeTheDraft_AltArrowStillMoves()
    {
        PanelSpec Panel(string title) => new() { Title = title, Source = PanelSource.Logs, Measure = "requests", Display = PanelDisplay.Number, Width = 4 };
        var draft = new List<PanelSpec> { Panel("Alpha"), Panel("Bravo") };
        var now = DateTimeOffset.UtcNow;
        var cut = _ctx.Render<DashboardGrid>(p => p.Add(x => x.Panels, [.. draft]).Add(x => x.Draft, draft).Add(x => x.From, now.AddHours(-1)).Add(x => x.To, now));
        // The panels load on their own meanwhile, so a key's render may come a moment after the key.
        void Shows(string widths) => cut.WaitForAssertion(() => Assert.Equal(widths,
            string.Join(" ", cut.FindAll("[data-testid=panel-width-button]").Select(b => b.TextContent.Trim()))), Patience);
        void Key(string selector, int index, string key, bool alt = false, bool shift = false) =>
            cut.FindAll(selector)[index].KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = key, AltKey = alt, ShiftKey = shift });

        Key("[data-testid=dashboard-slot]", 0, "ArrowRight", alt: true, shift: true);
        Shows("6/12 4/12");
        Assert.Equal(["Alpha:6", "Bravo:4"], draft.Select(p => $"{p.Title}:{p.Width}"));
        // ←/→ on the focused handle: one step, though the key also reaches the panel around it.
        Key("[data-testid=panel-resize]", 1, "ArrowLeft");
        Shows("6/12 3/12");
        Assert.Equal("3", cut.FindAll("[data-testid=panel-resize]")[1].GetAttribute("aria-valuenow"));
        // A drag the browser measured: 300 px on a 1,200 px grid takes Alpha from 6 to 9 columns, halfway: the wider 12.
        var alpha = cut.FindComponents<PanelResizeHandle>()[0].Instance;
        cut.InvokeAsync(() => alpha.Resized(300, 1200));
        Shows("12/12 3/12");
        Assert.Equal(["Alpha:12", "Bravo:3"], draft.Select(p => $"{p.Title}:{p.Width}"));

        Key("[data-testid=dashboard-slot]", 0, "ArrowRight", alt: true);
        Shows("3/12 12/12");
        Assert.Equal(["Bravo", "Alpha"], draft.Select(p => p.Title));
    }

    /// <summary>One request a second over <paramref name="seconds"/>, alternating between two hosts, every tenth a 502.</summary>
    private async Task IngestAsync(DateTimeOffset from, int seconds)
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        foreach (var host in new[] { "a.dash.test", "b.dash.test" })
        {
            var body = new StringBuilder();
            for (var i = 0; i < seconds; i += 2)
            {
                var at = from.AddSeconds(i).UtcDateTime.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture);
                body.Append(CultureInfo.InvariantCulture, $"10.0.0.{i % 200} - - [{at}] \"GET /cart/{i % 7} HTTP/1.1\" {(i % 10 == 0 ? 502 : 200)} 10 \"-\" \"bunit\"\n");
            }
            var response = await client.PostAsync($"/api/logs?format=combined&host={host}", new StringContent(body.ToString(), Encoding.UTF8, "text/plain"));
            response.EnsureSuccessStatusCode();
        }
    }
}
