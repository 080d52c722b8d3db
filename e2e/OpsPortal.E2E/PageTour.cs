using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Incidents;
using OpsPortal.Core.Notifications;
using OpsPortal.Core.Services;
using OpsPortal.Core.Tickets;
using OpsPortal.Core.Wiki;

namespace OpsPortal.E2E;

/// <summary>
/// Every page of the portal, with one of each kind of thing to show (a ticket, an incident, a wiki
/// page, a service), for the tests that hold every page to one rule (layout widths, accessibility).
/// </summary>
internal static class PageTour
{
    private static readonly SemaphoreSlim Once = new(1, 1);
    private static IReadOnlyList<string>? _pages;

    public static async Task<IReadOnlyList<string>> PagesAsync(PortalFixture portal)
    {
        await Once.WaitAsync();
        try
        {
            return _pages ??= await SeedAsync(portal);
        }
        finally
        {
            Once.Release();
        }
    }

    private static async Task<IReadOnlyList<string>> SeedAsync(PortalFixture portal)
    {
        var admin = new Actor(PortalFixture.AdminEmail, Roles.Admin);
        await using var scope = portal.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var service = await services.GetRequiredService<ServiceCatalog>().SaveAsync(admin, "tour-shop",
            new ServiceInput("Tour shop", ["team:web"], 2, null, "host:tour.test", null));
        Assert.True(service.Succeeded, service.Refusal?.Message);
        var ticket = await services.GetRequiredService<TicketService>().CreateAsync(
            new NewTicket("Checkout latency above the SLO on the tour shop since the last deploy",
                "The **p95** went from 180 ms to 900 ms. See [[tour-runbook]].", TicketType.Bug, TicketPriority.P1, "tour-shop",
                Labels: ["latency", "checkout"]), admin);
        Assert.True(ticket.Succeeded, ticket.Refusal?.Message);
        var incident = await services.GetRequiredService<IncidentService>().DeclareAsync(new DeclareIncident
        {
            Title = "Tour shop checkout returns 502 for a third of the requests",
            Severity = "SEV2",
            Services = ["tour-shop"],
            Summary = "Load balancer health checks fail on two of three nodes.",
        }, admin);
        Assert.True(incident.Succeeded, incident.Refusal?.Message);
        var wiki = await services.GetRequiredService<WikiService>().SaveAsync(admin, "tour-runbook",
            new WikiSaveRequest("Tour runbook", "# Restart\n\n```bash\nsystemctl restart shop --no-block 42\n```\n\nSee [[deploys]].", null, null));
        Assert.True(wiki.Succeeded, wiki.Refusal?.Message);
        await services.GetRequiredService<WikiService>().SaveAsync(admin, "tour-runbook",
            new WikiSaveRequest("Tour runbook", "# Restart\n\n```bash\nsystemctl restart shop 43\n```\n\nThen watch the logs.", 1, "second step"));

        var channel = await services.GetRequiredService<NotificationChannels>().CreateAsync(new ChannelRequest
        {
            Name = "Tour webhook",
            Kind = "webhook",
            WebhookUrl = "https://hooks.example.test/tour",
        }, admin, CancellationToken.None);
        Assert.True(channel.Succeeded, channel.Refusal?.Message);
        // A finished deploy as the runner leaves one (this portal has no deploy configuration to start one).
        await using var db = await services.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync();
        var deploy = new Deploy
        {
            Service = "tour-shop",
            Environment = "production",
            Action = "deploy",
            Version = "2.4.1",
            PreviousVersion = "2.4.0",
            Status = DeployStatus.Succeeded,
            RequestedBy = PortalFixture.AdminEmail,
            RequestedAt = DateTimeOffset.UtcNow.AddMinutes(-5),
            StartedAt = DateTimeOffset.UtcNow.AddMinutes(-5),
            FinishedAt = DateTimeOffset.UtcNow.AddMinutes(-4),
            ExitCode = 0,
            Script = "/srv/deploy/tour-shop.sh",
            TicketKey = ticket.Value!.Key,
        };
        db.Deploys.Add(deploy);
        await db.SaveChangesAsync();

        var id = incident.Value!.Id;
        return
        [
            "/", "/incidents", $"/incidents/{id}", $"/incidents/{id}/review", "/incidents/metrics",
            "/alerts", "/alerts/rules/new", "/logs", "/logs/sources", "/metrics",
            "/services", "/services/tour-shop", "/deploys", "/deploys/history", $"/deploys/{deploy.Id}",
            "/tickets", $"/tickets/{ticket.Value!.Key}",
            "/wiki", "/wiki/tour-runbook", "/wiki/tour-runbook/edit", "/wiki/tour-runbook/revisions", "/wiki/tour-runbook/diff",
            "/notifications", $"/notifications/channels/{channel.Value!.Id}", "/admin/users", "/account/tokens", "/no-such/page",
        ];
    }
}
