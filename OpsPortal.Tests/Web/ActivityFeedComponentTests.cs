using Bunit;
using MudBlazor.Services;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Features.Home;

namespace OpsPortal.Tests.Web;

/// <summary>The feed component against a real database, with events pushed through the real notifier.</summary>
public sealed class ActivityFeedComponentTests : IAsyncLifetime
{
    // The feed loads from PostgreSQL; bunit's default 1 s ran out under CI-like load.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly BunitContext _ctx = new();
    private TestDatabase _db = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices();
        _ctx.Services.AddLogging();
        _ctx.Services.AddOpsData(_db.AppConnections());
        // As in a live circuit: the feed subscribes only when interactive.
        _ctx.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public void Feed_Empty_SaysSo()
    {
        var feed = _ctx.Render<ActivityFeed>();

        feed.WaitForAssertion(() => Assert.Contains("Nothing has happened yet", feed.Markup, StringComparison.Ordinal), Patience);
    }

    [Fact]
    public async Task Feed_ShowsStoredEvents_ThenPrependsPublishedOnes()
    {
        await using (var db = _db.CreateContext())
        {
            new EventLog(TimeProvider.System).Append(db, "a@x", "test.old", "t", "1", "an older thing");
            await db.SaveChangesAsync();
        }
        var feed = _ctx.Render<ActivityFeed>();
        feed.WaitForAssertion(() => Assert.Single(feed.FindAll("[data-testid=activity-item]")), Patience);

        await _ctx.Services.GetRequiredService<EventNotifier>().PublishAsync(new OpsEvent
        {
            Id = 999_999,
            OccurredAt = DateTimeOffset.UtcNow,
            Actor = "b@x",
            Kind = "test.new",
            SubjectType = "t",
            SubjectId = "2",
            Summary = "a brand new thing",
        });

        feed.WaitForAssertion(() =>
        {
            var items = feed.FindAll("[data-testid=activity-item]");
            Assert.Equal(2, items.Count);
            Assert.Contains("a brand new thing", items[0].TextContent, StringComparison.Ordinal);
        }, Patience);
    }

    [Fact]
    public async Task Feed_SameEventTwice_ShownOnce()
    {
        var feed = _ctx.Render<ActivityFeed>();
        var notifier = _ctx.Services.GetRequiredService<EventNotifier>();
        var ev = new OpsEvent { Id = 5, OccurredAt = DateTimeOffset.UtcNow, Actor = "a", Kind = "k", SubjectType = "t", SubjectId = "1", Summary = "once" };

        await notifier.PublishAsync(ev);
        await notifier.PublishAsync(ev);

        feed.WaitForAssertion(() => Assert.Single(feed.FindAll("[data-testid=activity-item]")), Patience);
    }

    [Fact]
    public async Task Feed_SignInsAndTokenChanges_HiddenUntilShowAll()
    {
        await using (var db = _db.CreateContext())
        {
            var log = new EventLog(TimeProvider.System);
            log.Append(db, "a@x", "user.signed_in", "user", "1", "a@x signed in");
            log.Append(db, "a@x", "token.created", "token", "1", "a@x created token ci");
            log.Append(db, "a@x", "ticket.created", "ticket", "OPS-1", "a@x created OPS-1");
            await db.SaveChangesAsync();
        }
        var feed = _ctx.Render<ActivityFeed>();
        feed.WaitForAssertion(() =>
        {
            var item = Assert.Single(feed.FindAll("[data-testid=activity-item]"));
            Assert.Equal("ticket.created", item.GetAttribute("data-kind"));
        }, Patience);

        feed.Find("input[data-testid=feed-show-all]").Change(true);

        feed.WaitForAssertion(() => Assert.Equal(3, feed.FindAll("[data-testid=activity-item]").Count), Patience);
    }

    [Fact]
    public async Task Feed_LiveSignIn_NotAddedByDefault_LiveChangeIs()
    {
        var feed = _ctx.Render<ActivityFeed>();
        feed.WaitForAssertion(() => Assert.Contains("Nothing has happened yet", feed.Markup, StringComparison.Ordinal), Patience);
        var notifier = _ctx.Services.GetRequiredService<EventNotifier>();

        await notifier.PublishAsync(new OpsEvent { Id = 7, OccurredAt = DateTimeOffset.UtcNow, Actor = "a", Kind = "user.signed_in", SubjectType = "user", SubjectId = "1", Summary = "a signed in" });
        await notifier.PublishAsync(new OpsEvent { Id = 8, OccurredAt = DateTimeOffset.UtcNow, Actor = "a", Kind = "ticket.created", SubjectType = "ticket", SubjectId = "OPS-2", Summary = "a created OPS-2" });

        feed.WaitForAssertion(() =>
        {
            var item = Assert.Single(feed.FindAll("[data-testid=activity-item]"));
            Assert.Contains("created OPS-2", item.TextContent, StringComparison.Ordinal);
        }, Patience);
    }
}
