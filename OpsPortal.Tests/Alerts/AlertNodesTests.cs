using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Alerts;
using OpsPortal.Core.Auth;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Alerts;

/// <summary>Two app processes' evaluators on one database: each rule once per round, and a dead node's rules taken over.</summary>
public sealed class AlertNodesTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> Fast = new()
    {
        ["OpsPortal:Alerts:MinIntervalSeconds"] = "1",
        ["OpsPortal:Alerts:PollInterval"] = "00:00:00.100",
    };

    private TestDatabase _database = null!;
    private OpsPortalFactory _a = null!;
    private OpsPortalFactory _b = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _a = new OpsPortalFactory(_database, settings: Fast);
        _b = new OpsPortalFactory(_database, settings: Fast);
        await _a.StartAsync();
        await _b.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task TwoNodes_EachRuleEvaluatedOncePerRound_DeadNodesRulesTakenOver()
    {
        var service = _a.Services.GetRequiredService<AlertService>();
        var actor = new Actor("ann@test", Roles.Engineer);
        await AlertTestBase.DefineServiceAsync(_a.Services, "nodes");
        const int interval = 2;
        var ids = new List<long>();
        var started = DateTimeOffset.UtcNow;
        for (var n = 0; n < 12; n++)
        {
            var rule = await service.CreateAsync(new AlertRuleRequest
            {
                Name = $"quiet {n}",
                Service = "nodes",
                IntervalSeconds = interval,
                Spec = new AlertRuleSpec { Query = $"host:nobody-{n}.test", WindowSeconds = 60, Critical = 5 },
            }, actor, CancellationToken.None);
            ids.Add(rule.Value.Id);
        }

        await Task.Delay(TimeSpan.FromSeconds(9));
        var seconds = (DateTimeOffset.UtcNow - started).TotalSeconds;
        await using (var db = _database.CreateContext())
        {
            var samples = await db.AlertSamples.Where(s => ids.Contains(s.RuleId)).ToListAsync();
            foreach (var id in ids)
            {
                var times = samples.Where(s => s.RuleId == id).Select(s => s.At).Order().ToList();
                // Both nodes evaluating each round would give about twice seconds / interval samples.
                Assert.InRange(times.Count, 3, (int)(seconds / interval) + 1);
                // Two evaluations of one round would be milliseconds apart; rounds are at least half an interval apart.
                var gaps = times.Zip(times.Skip(1), (x, y) => (y - x).TotalSeconds).ToList();
                Assert.True(gaps.All(g => g >= interval * 0.45), $"rule {id} gaps: {string.Join(", ", gaps)}");
            }
        }

        // Node A dies; node B takes over every rule within two intervals.
        await _a.DisposeAsync();
        var died = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(interval * 2 + 3));
        await using (var db = _database.CreateContext())
        {
            foreach (var id in ids)
            {
                Assert.True(await db.AlertSamples.AnyAsync(s => s.RuleId == id && s.At > died.AddSeconds(interval * 2 - 1)),
                    $"rule {id} was not evaluated after node A stopped");
            }
        }
    }
}
