using OpsPortal.Core.Dashboards;
using OpsPortal.Core.Incidents;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Dashboards;

/// <summary>The wall display's MTTR is the incident metrics' MTTR for today, with the same exclusions.</summary>
public sealed class WallBoardTests : ApiTestBase
{
    [Fact]
    public async Task GetAsync_IncidentsAroundMidnightAndOpen_MttrTodayIsTheMetricsCalculatorsFigure()
    {
        var now = new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
        var midnight = new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero);
        await using (var db = Database.CreateContext())
        {
            // Counted: started and resolved today, 1 h.
            db.Incidents.Add(Incident("today", now.AddHours(-3), now.AddHours(-2)));
            // Started yesterday, resolved today: the metrics put it in yesterday's period, so today's MTTR leaves it out.
            db.Incidents.Add(Incident("across midnight", midnight.AddHours(-1), midnight.AddHours(1)));
            // Started today, still open: no MTTR, counted as left out.
            db.Incidents.Add(Incident("open", now.AddHours(-4), null));
            await db.SaveChangesAsync();
        }
        var wall = ActivatorUtilities.CreateInstance<WallBoard>(Factory.Services, new FixedClock(now));

        var summary = await wall.GetAsync(CancellationToken.None);

        var times = await Factory.Services.GetRequiredService<IncidentQueries>().TimesAsync(null);
        var expected = IncidentMetricsCalculator.Compute(times, new MetricFilter(midnight, now)).Mttr;
        Assert.Equal(3600, expected.Mean);
        Assert.Equal(expected.Mean, summary.MttrTodaySeconds);
        Assert.Equal(1, summary.MttrSamples);
        Assert.Equal(1, summary.MttrExcluded);
    }

    private static Incident Incident(string title, DateTimeOffset started, DateTimeOffset? resolved) => new()
    {
        Title = title,
        CreatedBy = "ann@test",
        Severity = IncidentSeverity.Sev2,
        StartedAt = started,
        DetectedAt = started,
        ResolvedAt = resolved,
        Status = resolved is null ? IncidentStatus.Investigating : IncidentStatus.Resolved,
    };
}
