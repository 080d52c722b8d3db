using OpsPortal.Core;
using OpsPortal.Core.Services;
using OpsPortal.Core.Tickets;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Tickets;

/// <summary>A ticket's service is picked from the catalog, as Jira's Components: free text is refused, older values are kept.</summary>
public sealed class TicketServiceFieldTests : TicketTestNode
{
    private TicketService Tickets => Services.GetRequiredService<TicketService>();

    private Task DefineAsync(string name) =>
        Services.GetRequiredService<ServiceCatalog>().SaveAsync(As.Engineer("lead@x.test"), name, new ServiceInput("d", [], null, [], null, [])).OkAsync();

    [Fact]
    public async Task Create_ServiceNotInTheCatalog_RefusedOnTheFieldWithTheNames_NothingCreated()
    {
        await DefineAsync("shop");
        await DefineAsync("billing");

        var refusal = await Tickets.CreateAsync(new NewTicket("t", Service: "shopp"), As.Engineer("a@x.test")).RefusedAsync(RefusalKind.Invalid);

        Assert.Equal("“shopp” is not in the service catalog. Pick one of: billing, shop.", refusal.Errors["service"]);
        var ok = await Tickets.CreateAsync(new NewTicket("t", Service: "shop"), As.Engineer("a@x.test")).OkAsync();
        Assert.Equal(("OPS-1", "shop"), (ok.Key, ok.Service));
    }

    [Fact]
    public async Task Create_EmptyCatalog_SaysSoAndHowToDefineOne_NoServiceIsFine()
    {
        var refusal = await Tickets.CreateAsync(new NewTicket("t", Service: "web"), As.Engineer("a@x.test")).RefusedAsync(RefusalKind.Invalid);

        Assert.Contains("has no services yet", refusal.Errors["service"], StringComparison.Ordinal);
        await Tickets.CreateAsync(new NewTicket("t", Service: " "), As.Engineer("a@x.test")).OkAsync();
    }

    [Fact]
    public async Task Update_OlderFreeTextKept_ChangeToUnknownRefused_ToKnownAndClearWork()
    {
        await DefineAsync("shop");
        // A deploy or an incident links its ticket with its own service, unchecked (the hook is not a person's input).
        var linked = await InUnitAsync(db => Hook.CreateForAsync(db, DeployRequest() with { Service = "legacy web" }, As.Engineer("a@x.test")).OkAsync());
        var key = linked.Key;

        await Tickets.UpdateAsync(key, new TicketEdit { Title = "renamed", Service = new("legacy web") }, 1, As.Engineer("a@x.test")).OkAsync();
        var refusal = await Tickets.UpdateAsync(key, new TicketEdit { Title = "again", Service = new("nope") }, 2, As.Engineer("a@x.test"))
            .RefusedAsync(RefusalKind.Invalid);
        Assert.StartsWith("“nope” is not in the service catalog.", refusal.Errors["service"], StringComparison.Ordinal);
        Assert.Equal(("renamed", "legacy web", 2), await StoredAsync(key));

        await Tickets.UpdateAsync(key, new TicketEdit { Service = new("shop") }, 2, As.Engineer("a@x.test")).OkAsync();
        Assert.Equal(("renamed", "shop", 3), await StoredAsync(key));
        await Tickets.UpdateAsync(key, new TicketEdit { Service = new(null) }, 3, As.Engineer("a@x.test")).OkAsync();
        Assert.Equal(("renamed", (string?)null, 4), await StoredAsync(key));
    }

    [Fact]
    public async Task Bulk_SetsACatalogService_RefusesAnUnknownOneForAllAndChangesNothing()
    {
        await DefineAsync("shop");
        var a = await Tickets.CreateAsync(new NewTicket("a"), As.Engineer("a@x.test")).OkAsync();
        var b = await Tickets.CreateAsync(new NewTicket("b", Labels: ["x"]), As.Engineer("a@x.test")).OkAsync();

        await Tickets.BulkUpdateAsync([a.Key, b.Key], new BulkEdit { Service = new("nope"), AddLabels = ["y"] }, As.Engineer("lead@x.test"))
            .RefusedAsync(RefusalKind.Invalid);
        Assert.Equal(("a", (string?)null, 1), await StoredAsync(a.Key));
        Assert.Equal(("b", (string?)null, 1), await StoredAsync(b.Key));

        var result = await Tickets.BulkUpdateAsync([a.Key, b.Key], new BulkEdit { Service = new("shop") }, As.Engineer("lead@x.test")).OkAsync();

        Assert.Equal([a.Key, b.Key], result.Changed);
        Assert.Equal(("a", "shop", 2), await StoredAsync(a.Key));
        Assert.Equal(("b", "shop", 2), await StoredAsync(b.Key));
    }

    private async Task<(string, string?, int)> StoredAsync(string key) =>
        await Tickets.FindAsync(key) is { } t ? (t.Title, t.Service, t.RowVersion) : throw new InvalidOperationException(key);
}
