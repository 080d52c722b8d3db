using Bunit;
using OpsPortal.Core.Incidents;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Features.Incidents;

namespace OpsPortal.Tests.Web;

public sealed class MetricsBreakdownTests : MudComponentTest
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Breakdown_OneRowPerService_AndPerSeverity_WithTheirMttr()
    {
        IncidentTimes[] incidents =
        [
            new(1, IncidentSeverity.Sev1, ["api"], T0, T0.AddMinutes(5), T0.AddMinutes(6), T0.AddMinutes(30)),
            new(2, IncidentSeverity.Sev2, ["web"], T0.AddDays(1), T0.AddDays(1).AddMinutes(1), null, T0.AddDays(1).AddHours(2)),
        ];

        var cut = Ctx.Render<MetricsBreakdown>(p => p.Add(b => b.Incidents, incidents).Add(b => b.From, T0.AddDays(-1)).Add(b => b.To, T0.AddDays(7)));

        var byService = cut.Find("[data-testid=by-service]").TextContent;
        var bySeverity = cut.Find("[data-testid=by-severity]").TextContent;
        Assert.Contains("api", byService, StringComparison.Ordinal);
        Assert.Contains("30 min 00 s", byService, StringComparison.Ordinal);
        Assert.Contains("2 h 00 min", byService, StringComparison.Ordinal);
        Assert.Contains("SEV1", bySeverity, StringComparison.Ordinal);
        Assert.Equal(4, cut.FindAll("[data-testid=by-severity] tbody tr").Count);
    }
}
