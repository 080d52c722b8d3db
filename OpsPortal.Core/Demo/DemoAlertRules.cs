using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Alerts;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Demo;

/// <summary>
/// In demo mode, alert rules on the simulated traffic of <c>demo-web</c>: the 5xx ratio per host (fires during the
/// simulator's 5xx bursts), the p95 of the search backend, a heartbeat of the demo log, and an HTTP check of the
/// portal itself. Created once, by name: rules people edited or deleted are left alone.
/// </summary>
internal sealed partial class DemoAlertRules(IOptions<DemoOptions> options, AlertService alerts, IDbContextFactory<OpsDbContext> dbs,
    IConfiguration config, BackgroundHealth health, TimeProvider clock, ILogger<DemoAlertRules> logger) : BackgroundLoop(health, clock, logger)
{
    private const string Service = "demo-web";
    private const string Runbook = "runbooks/web/5xx-spike";
    private static readonly Dictionary<string, string> Labels = new() { ["demo"] = "true", ["team"] = "web" };

    protected override string LoopName => "demo.alert-rules";

    // A database that is away at start-up throws out of here; BackgroundLoop retries until the rules exist.
    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Demo)
        {
            return;
        }
        await using (var db = await dbs.CreateDbContextAsync(stoppingToken))
        {
            if (await db.AlertRules.AnyAsync(r => r.Name.StartsWith("DEMO "), stoppingToken))
            {
                MarkHealthy();
                return;
            }
        }
        foreach (var rule in Rules(PortalUrl()))
        {
            var created = await alerts.CreateAsync(rule, Actor.System("demo"), stoppingToken);
            if (!created.Succeeded)
            {
                LogNotCreated(Logger, rule.Name!, created.Refusal.Message);
            }
        }
        MarkHealthy();
    }

    internal static IEnumerable<AlertRuleRequest> Rules(string portalUrl) =>
    [
        new()
        {
            Name = "DEMO 5xx ratio per host", Service = Service, Runbook = Runbook, Labels = Labels, IntervalSeconds = 15, RepeatMinutes = 30,
            IncidentSeverity = "SEV3",
            Spec = new AlertRuleSpec { Query = "status:5xx", Measure = AlertMeasure.Ratio, GroupBy = "host", WindowSeconds = 60, Warning = 5, Critical = 20 },
        },
        new()
        {
            Name = "DEMO p95 search backend time", Service = Service, Runbook = Runbook, Labels = Labels, IntervalSeconds = 30, HardAfter = 2,
            Spec = new AlertRuleSpec { Query = "path:/api/search*", Measure = AlertMeasure.Percentile, Field = "backendtime", Percentile = 95, WindowSeconds = 300, Warning = 2.8, Critical = 3.2 },
        },
        new()
        {
            Name = "DEMO no data from the demo log", Service = Service, Runbook = Runbook, Labels = Labels, IntervalSeconds = 30, Kind = AlertRuleKind.NoData,
            Spec = new AlertRuleSpec { Query = "host:*.demo.local", WindowSeconds = 120 },
        },
        new()
        {
            Name = "DEMO portal health check", Service = Service, Labels = Labels, IntervalSeconds = 30, Kind = AlertRuleKind.HttpCheck, HardAfter = 2,
            Spec = new AlertRuleSpec { Url = portalUrl.TrimEnd('/') + "/health", ExpectStatus = 200, BodyContains = "Healthy", WarningMs = 500, CriticalMs = 2000, TimeoutSeconds = 5 },
        },
    ];

    /// <summary>This process's own address: the first of <c>urls</c>, a wildcard host read as loopback.</summary>
    private string PortalUrl()
    {
        var first = (config["urls"] ?? "http://127.0.0.1:5080").Split(';', StringSplitOptions.RemoveEmptyEntries)[0];
        return first.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal);
    }

    [LoggerMessage(LogLevel.Warning, "Demo alert rule {Name} was not created: {Reason}")]
    private static partial void LogNotCreated(ILogger logger, string name, string reason);
}
