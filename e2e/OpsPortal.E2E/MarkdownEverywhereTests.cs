using OpsPortal.Core.Auth;
using OpsPortal.Core.Incidents;
using OpsPortal.Core.Tickets;
using OpsPortal.Core.Wiki;

namespace OpsPortal.E2E;

/// <summary>Issue 21.6: what a person writes on an incident reads as markdown, with ticket keys and wiki links live.</summary>
public sealed class MarkdownEverywhereTests(PortalFixture portal) : BrowserTest(portal)
{
    private static readonly Actor Seed = Actor.System("e2e-seed");

    [Fact]
    public async Task IncidentSummaryAndNote_RenderMarkdown_TicketKeys_AndWikiLinksByTitle()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var title = $"Replica lag {suffix}";
        var slug = $"databases/pg/lag-{suffix}";
        string key;
        long id;
        await using (var scope = Portal.Services.CreateAsyncScope())
        {
            var sp = scope.ServiceProvider;
            _ = (await sp.GetRequiredService<WikiService>().SaveAsync(Seed, slug, new WikiSaveRequest(title, "steps", null, null))).Value;
            key = (await sp.GetRequiredService<TicketService>().CreateAsync(new NewTicket("Disk alarm"), Seed)).Value.Key;
            id = (await sp.GetRequiredService<IncidentService>().DeclareAsync(new DeclareIncident
            {
                Title = "Lag " + suffix,
                Severity = "SEV3",
                Services = ["e2e-md"],
                Summary = $"The **standby** fell behind, see {key}.",
            }, Seed)).Value.Id;
        }
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        await Page.GotoAsync($"/incidents/{id}");
        await WaitForInteractiveAsync(Page);

        var summary = Page.GetByTestId("incident-summary");
        await Assertions.Expect(summary.Locator("strong", new() { HasText = "standby" })).ToBeVisibleAsync();
        await Assertions.Expect(summary.Locator($"a.ticket-ref[href='/tickets/{key}']")).ToBeVisibleAsync();

        await Page.GetByTestId("note-text").FillAsync($"Failing over **now**, runbook [[{title}]], tracked in {key}");
        await Page.GetByTestId("note-add").ClickAsync();

        var note = Page.GetByTestId("timeline-item").Filter(new() { HasText = "Failing over" });
        await Assertions.Expect(note.Locator("strong", new() { HasText = "now" })).ToBeVisibleAsync();
        await Assertions.Expect(note.Locator($"a.ticket-ref[href='/tickets/{key}']")).ToBeVisibleAsync();
        var link = note.Locator($"a.wiki-link[href='/wiki/{slug}']");
        await Assertions.Expect(link).ToHaveTextAsync(title);
        await Assertions.Expect(link).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("wiki-link-missing"));
        await Assertions.Expect(note).Not.ToContainTextAsync("**");
        Assert.Empty(ConsoleErrors);
    }
}
