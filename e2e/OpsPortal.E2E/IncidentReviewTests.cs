using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Incidents;
using OpsPortal.Core.Tickets;
using OpsPortal.Core.Wiki;

namespace OpsPortal.E2E;

/// <summary>Issue 21.10 in the browser: the review page's action items become linked tickets (once, even on a
/// double click), and the postmortem timeline keeps the services' other events behind "Show all".</summary>
public sealed class IncidentReviewTests(PortalFixture portal) : BrowserTest(portal)
{
    private static readonly Actor Seed = Actor.System("e2e-seed");

    private async Task<long> DeclareAsync(string service, string title)
    {
        await using var scope = Portal.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<IncidentService>().DeclareAsync(new DeclareIncident
        {
            Title = title,
            Severity = "SEV3",
            Services = [service],
            StartedAt = DateTimeOffset.UtcNow.AddMinutes(-20),
        }, Seed)).Value.Id;
    }

    private async Task<int> TicketsTitledAsync(string title)
    {
        await using var scope = Portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OpsDbContext>();
        return await db.Set<Ticket>().CountAsync(t => t.Title == title);
    }

    [Fact]
    public async Task ActionItems_LinesBecomeLinkedTickets_DoubleClickMakesOne()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var first = $"Alert on replica lag {suffix}";
        var second = $"Raise the pool size {suffix}";
        var id = await DeclareAsync("e2e-items-" + suffix, "Checkout 500s " + suffix);
        await using (var scope = Portal.Services.CreateAsyncScope())
        {
            var sp = scope.ServiceProvider;
            var slug = (await sp.GetRequiredService<IncidentPostmortems>().CreateAsync(id, Seed)).Value;
            var wiki = sp.GetRequiredService<WikiService>();
            var page = (await wiki.GetAsync(slug))!;
            _ = (await wiki.SaveAsync(Seed, slug, new WikiSaveRequest(page.Title,
                page.Body.TrimEnd() + $"\n- [ ] {first}\n- [ ] {second}\n", page.Revision, null))).Value;
        }
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GotoAsync($"/incidents/{id}/review");
        await WaitForInteractiveAsync(Page);

        var items = Page.GetByTestId("action-item");
        await Assertions.Expect(items).ToHaveCountAsync(2);
        var firstItem = items.Filter(new() { HasText = first });
        await Assertions.Expect(Page.GetByTestId("action-items-create-all")).ToContainTextAsync("Create 2 tickets");

        await firstItem.GetByTestId("action-item-create").DblClickAsync();

        var firstLink = firstItem.GetByTestId("action-item-ticket");
        await Assertions.Expect(firstLink).ToHaveTextAsync(new Regex(@"^[A-Z]+-\d+$"));
        await Assertions.Expect(firstItem.GetByTestId("action-item-create")).ToHaveCountAsync(0);
        await Assertions.Expect(Page.GetByTestId("action-items-create-all")).ToContainTextAsync("Create 1 ticket");
        Assert.Equal(1, await TicketsTitledAsync(first));

        await Page.GetByTestId("action-items-create-all").ClickAsync();
        var secondLink = items.Filter(new() { HasText = second }).GetByTestId("action-item-ticket");
        await Assertions.Expect(secondLink).ToHaveTextAsync(new Regex(@"^[A-Z]+-\d+$"));
        await Assertions.Expect(Page.GetByTestId("action-items-create-all")).ToHaveCountAsync(0);
        Assert.NotEqual(await firstLink.InnerTextAsync(), await secondLink.InnerTextAsync());
        await Page.GetByTestId("action-items").ScreenshotAsync(new() { Path = Shot("ActionItems.png") });

        // The ticket is a task linked back to the incident.
        var key = await firstLink.InnerTextAsync();
        await firstLink.ClickAsync();
        await Assertions.Expect(Page).ToHaveURLAsync(new Regex($"/tickets/{key}$"));
        await Assertions.Expect(Page.Locator($"a[href='/incidents/{id}']").First).ToBeVisibleAsync();
        await Assertions.Expect(Page.GetByText(first).First).ToBeVisibleAsync();
        Assert.Equal(1, await TicketsTitledAsync(first));
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task Postmortem_OtherEventsOfTheService_HiddenUntilShowAll()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var service = "e2e-showall-" + suffix;
        var id = await DeclareAsync(service, "Lag " + suffix);
        await using (var scope = Portal.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<OpsDbContext>();
            var events = scope.ServiceProvider.GetRequiredService<EventLog>();
            events.Append(db, "deployer@e2e.test", "deploy.started", "deploy", "9101", $"deploy of {service} 2.0.1", service);
            events.Append(db, "sys", "ticket.created", "ticket", "OPS-9" + suffix, $"unrelated ticket of {service} created", service);
            events.Append(db, "sys", "notification.delivered", "notification", "77", $"webhook delivered for {service}", service);
            await db.SaveChangesAsync();
        }
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GotoAsync($"/incidents/{id}/review");
        await WaitForInteractiveAsync(Page);

        var timeline = Page.GetByTestId("timeline");
        var others = Page.GetByTestId("timeline-item").Filter(new() { HasTextRegex = new Regex("unrelated ticket|webhook delivered") });
        await Assertions.Expect(timeline).ToContainTextAsync($"deploy of {service} 2.0.1");
        await Assertions.Expect(others).ToHaveCountAsync(0);
        var showAll = Page.GetByTestId("timeline-show-all");
        // The test id lands on the switch's input; its label says how many events it hides.
        await Assertions.Expect(Page.GetByText("Show all (2 other events of the services)")).ToBeVisibleAsync();
        await Assertions.Expect(showAll).Not.ToBeCheckedAsync();

        await showAll.ClickAsync();

        await Assertions.Expect(others).ToHaveCountAsync(2);
        await Assertions.Expect(timeline).ToContainTextAsync($"deploy of {service} 2.0.1");
        await Page.ScreenshotAsync(new() { Path = Shot("PostmortemShowAll.png"), FullPage = true });

        await showAll.ClickAsync();
        await Assertions.Expect(others).ToHaveCountAsync(0);

        // The postmortem's "show all" link opens the page with them shown.
        await Page.GotoAsync($"/incidents/{id}/review?all=true");
        await WaitForInteractiveAsync(Page);
        await Assertions.Expect(others).ToHaveCountAsync(2);
        await Assertions.Expect(showAll).ToBeCheckedAsync();
        Assert.Empty(ConsoleErrors);
    }

    private static string Shot(string name) =>
        Path.Combine(Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName, name);
}
