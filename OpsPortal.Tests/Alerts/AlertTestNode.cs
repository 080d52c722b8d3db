using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OpsPortal.Core.Alerts;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Notifications;
using OpsPortal.Core.OnCall;
using OpsPortal.Core.OnCall.Escalation;
using OpsPortal.Core.OnCall.Paging;
using OpsPortal.Core.Services;
using OpsPortal.Core.Subscriptions;
using OpsPortal.Core.Tickets;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Alerts;

/// <summary>
/// An app whose evaluator is off, plus a scheduler on a clock the test moves: rounds happen exactly when the
/// test says, over log lines ingested through the real API.
/// </summary>
public abstract class AlertTestBase : ApiTestBase
{
    protected const string Service = "alerts-test";

    /// <summary>Minute 0 of the test's traffic: half an hour ago, on a whole minute.</summary>
    protected DateTimeOffset T0 { get; } = new DateTimeOffset(DateTime.UtcNow.Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(-30);

    protected FixedClock Clock { get; private set; } = null!;
    private protected AlertScheduler Scheduler { get; private set; } = null!;

    /// <summary>Paging on the test's clock (the alert writer pages through it).</summary>
    protected Paging Paging { get; private set; } = null!;
    private protected AlertIncidents Incidents { get; private set; } = null!;
    protected HttpClient Client { get; private set; } = null!;

    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>
    {
        ["OpsPortal:Alerts:RunEvaluator"] = "false",
        ["OpsPortal:Alerts:MinIntervalSeconds"] = "1",
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Clock = new FixedClock(T0);
        var sp = Factory.Services;
        var dbs = sp.GetRequiredService<IDbContextFactory<OpsDbContext>>();
        var data = sp.GetRequiredService<NpgsqlDataSource>();
        var options = sp.GetRequiredService<IOptions<AlertsOptions>>();
        var events = new EventLog(Clock);
        var measurer = new AlertMeasurer(data);
        var hook = new TicketHook(new TicketOperations(events, Clock, Options.Create(new TicketsOptions())));
        var outbox = new NotificationOutbox(Clock, events, sp.GetRequiredService<NotificationSecrets>());
        Paging = new Paging(sp.GetRequiredService<EscalationPolicies>(), new PageNotifier(outbox, sp.GetRequiredService<PersonalSettingsService>(), events,
            sp.GetRequiredService<IOptions<OnCallOptions>>(), sp.GetRequiredService<IOptions<NotificationsOptions>>()), events, Clock);
        var incidents = Incidents = new AlertIncidents(dbs, events, Clock, hook, new OpsPortal.Core.Incidents.IncidentService(dbs, events, Clock, hook, Paging,
            sp.GetRequiredService<IOptions<OnCallOptions>>()), measurer, NullLogger<AlertIncidents>.Instance);
        Scheduler = new AlertScheduler(data, dbs, new AlertEvaluator(measurer, new HttpChecker(Clock), sp.GetServices<OpsPortal.Core.IFeatureCheck>()), new AlertRoundWriter(dbs, events, outbox,
                sp.GetRequiredService<IOptions<NotificationsOptions>>(), Paging),
            incidents, options, Clock);
        Client = await ClientForAsync(AdminEmail, AdminPassword);
        await DefineServiceAsync(Factory.Services, Service);
    }

    /// <summary>Rules belong to catalog services: defines one in the portal.</summary>
    public static async Task DefineServiceAsync(IServiceProvider services, string name)
    {
        var saved = await services.GetRequiredService<ServiceCatalog>().SaveAsync(new Actor("admin@test", Roles.Admin), name,
            new ServiceInput("test service", ["team:ops"], 2, null, null, null), CancellationToken.None);
        Assert.True(saved.Succeeded, saved.Refusal?.Message);
    }

    /// <summary>A webhook and an email channel, routed for the test service: each notification becomes two deliveries.</summary>
    protected async Task<(long Webhook, long Email)> RouteToChannelsAsync()
    {
        var secrets = Factory.Services.GetRequiredService<NotificationSecrets>();
        await using var db = Database.CreateContext();
        var webhook = new NotificationChannel
        {
            Name = "hook",
            Kind = ChannelKind.Webhook,
            Enabled = true,
            CreatedBy = "t",
            UpdatedBy = "t",
            SecretProtected = secrets.Protect("http://127.0.0.1:9/hook")
        };
        var email = new NotificationChannel { Name = "mail", Kind = ChannelKind.Email, Enabled = true, CreatedBy = "t", UpdatedBy = "t", SmtpHost = "127.0.0.1" };
        db.AddRange(webhook, email);
        await db.SaveChangesAsync();
        db.Add(new NotificationRoute { Position = 1, Name = "alerts", Matchers = RouteMatcher.Parse($"service={Service}").Value, ChannelIds = [webhook.Id, email.Id], UpdatedBy = "t" });
        await db.SaveChangesAsync();
        return (webhook.Id, email.Id);
    }

    private protected async Task<List<NotificationDelivery>> DeliveriesAsync()
    {
        await using var db = Database.CreateContext();
        return await db.Set<NotificationDelivery>().OrderBy(d => d.Id).ToListAsync();
    }

    /// <summary>Moves the clock to minute <paramref name="minute"/> and runs every due rule once.</summary>
    protected Task<int> RoundAtAsync(double minute)
    {
        Clock.Now = T0.AddMinutes(minute);
        return Scheduler.RunDueAsync("test-node", CancellationToken.None);
    }

    /// <summary>Ingests, through the API, <paramref name="ok"/> 200s and <paramref name="errors"/> 502s for a host in minute <paramref name="minute"/>.</summary>
    protected async Task IngestAsync(string host, int minute, int ok, int errors, double backendSeconds = 0.05)
    {
        var sb = new StringBuilder();
        for (var n = 0; n < ok + errors; n++)
        {
            var at = T0.AddMinutes(minute).AddSeconds(n * 59.0 / (ok + errors));
            sb.Append(LogLine(host, at, n < errors ? 502 : 200, backendSeconds)).Append('\n');
        }
        var response = await Client.PostAsync("/api/logs?format=opsportal", new StringContent(sb.ToString(), Encoding.UTF8, "text/plain"));
        response.EnsureSuccessStatusCode();
    }

    public static string LogLine(string host, DateTimeOffset at, int status, double backendSeconds) =>
        string.Create(CultureInfo.InvariantCulture,
            $"10.0.0.9 - - [{at.UtcDateTime:dd/MMM/yyyy:HH:mm:ss} +0000] \"GET /checkout HTTP/1.1\" {status} 512 \"-\" \"curl/8\" host={host} scheme=https rt={backendSeconds + 0.001:0.000} urt=\"{backendSeconds:0.000}\" upstream=\"10.0.1.2:8080\" ustatus=\"{status}\" tls=TLSv1.3 cipher=TLS_AES_128_GCM_SHA256");

    /// <summary>Creates a 5xx-ratio rule for <paramref name="host"/> through the API.</summary>
    protected async Task<long> CreateRatioRuleAsync(string host, string name, object? extra = null, int hardAfter = 1, string? incidentSeverity = null, string kind = "Threshold")
    {
        var response = await Client.PostAsJsonAsync("/api/alerts/rules", new
        {
            name,
            service = Service,
            runbook = "runbooks/alerts-test",
            labels = new Dictionary<string, string> { ["team"] = "ops" },
            kind,
            intervalSeconds = 10,
            hardAfter,
            repeatMinutes = 1,
            incidentSeverity,
            spec = extra ?? new { query = "status:5xx", measure = "Ratio", denominator = $"host:{host}", windowSeconds = 60, warning = 10.0, critical = 20.0 },
        });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64();
        // The app stamps the rule due at the real now; the test's clock runs half an hour behind.
        await using var db = Database.CreateContext();
        await db.AlertRules.Where(r => r.Id == id).ExecuteUpdateAsync(s => s.SetProperty(r => r.NextRunAt, T0));
        return id;
    }

    protected async Task<List<OpsEvent>> EventsAsync(long ruleId, string kind)
    {
        await using var db = Database.CreateContext();
        var id = ruleId.ToString(CultureInfo.InvariantCulture);
        return await db.Events.Where(e => e.SubjectType == AlertEventKinds.SubjectType && e.SubjectId == id && e.Kind == kind).OrderBy(e => e.Id).ToListAsync();
    }

    protected async Task<AlertInstance> InstanceAsync(long ruleId, string group = "")
    {
        await using var db = Database.CreateContext();
        return await db.AlertInstances.SingleAsync(i => i.RuleId == ruleId && i.GroupKey == group);
    }
}
