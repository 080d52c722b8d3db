using Microsoft.EntityFrameworkCore;
using OpsPortal.Core;
using OpsPortal.Core.Wiki;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Wiki;

/// <summary>Pages, revisions, conflicts, moves and links against a real PostgreSQL.</summary>
public sealed class WikiServiceTests : IAsyncLifetime
{
    private readonly FixedClock _clock = new(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));
    private WikiTestHost _host = null!;
    private WikiService Wiki => _host.Wiki;

    public async Task InitializeAsync() => _host = await WikiTestHost.CreateAsync(_clock);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<WikiSaved> SaveAsync(string slug, string body, int? baseRevision, string title = "Failover", string? message = null,
        IReadOnlyList<string>? services = null, string actor = "alice@test") =>
        await Wiki.SaveAsync(As.Engineer(actor), slug, new WikiSaveRequest(title, body, baseRevision, message, services)).OkAsync();

    private Task<Result<WikiSaved>> TrySaveAsync(string slug, string body, int? baseRevision, string title = "Failover") =>
        Wiki.SaveAsync(As.Engineer("alice@test"), slug, new WikiSaveRequest(title, body, baseRevision, null, null));

    [Fact]
    public async Task Save_NewThenEdit_WritesRevisionsWithAuthorAndMessage()
    {
        var created = await SaveAsync("databases/postgres/failover", "one", null, message: "first");
        _clock.Now = _clock.Now.AddMinutes(5);
        var edited = await SaveAsync("databases/postgres/failover", "two", 1, message: "second", actor: "bob@test");

        Assert.Equal(WikiSaveStatus.Created, created.Status);
        Assert.Equal(WikiSaveStatus.Updated, edited.Status);
        Assert.Equal(2, edited.Page.Revision);
        var history = await Wiki.RevisionsAsync(edited.Page.Id);
        Assert.Equal([2, 1], history.Select(r => r.Number));
        Assert.Equal("bob@test", history[0].Author);
        Assert.Equal("second", history[0].Message);
        Assert.Equal(_clock.Now, history[0].CreatedAt);
        Assert.Equal("one", (await Wiki.RevisionAsync(edited.Page.Id, 1))!.Body);
    }

    [Fact]
    public async Task Save_StaleBaseRevision_ConflictAndNothingWritten()
    {
        await SaveAsync("runbook", "base", null);
        await SaveAsync("runbook", "theirs", 1, actor: "bob@test");

        var mine = await TrySaveAsync("runbook", "mine", 1).RefusedAsync(RefusalKind.Conflict);

        Assert.True(mine.TryGetCurrent(out var current));
        Assert.Equal("theirs", current.Body);
        Assert.Equal(2, current.Revision);
        Assert.Equal(2, (await Wiki.RevisionsAsync(current.Id)).Count);
    }

    [Fact]
    public async Task Save_ExistingPageWithoutBaseRevision_IsConflictNotOverwrite()
    {
        await SaveAsync("runbook", "original", null);

        var again = await TrySaveAsync("runbook", "overwrite?", null).RefusedAsync(RefusalKind.Conflict);

        Assert.Contains("already exists", again.Detail, StringComparison.Ordinal);
        Assert.Equal("original", (await Wiki.GetAsync("runbook"))!.Body);
    }

    [Fact]
    public async Task Save_ConcurrentFromSameBase_ExactlyOneWins()
    {
        await SaveAsync("runbook", "base", null);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => TrySaveAsync("runbook", $"edit {i}", 1)));

        Assert.Single(results, r => r.Succeeded && r.Value.Status == WikiSaveStatus.Updated);
        Assert.Equal(5, results.Count(r => r.Refusal?.Kind == RefusalKind.Conflict));
    }

    [Fact]
    public async Task Save_InvalidInput_ClearErrorNothingWritten()
    {
        var badSlug = await TrySaveAsync("Bad Slug!", "x", null).RefusedAsync(RefusalKind.Invalid);
        var noTitle = await TrySaveAsync("ok", "x", null, title: " ").RefusedAsync(RefusalKind.Invalid);

        Assert.Contains("lower-case", badSlug.Detail, StringComparison.Ordinal);
        Assert.Contains("title", noTitle.Detail, StringComparison.Ordinal);
        Assert.Null(await Wiki.GetAsync("ok"));
    }

    [Fact]
    public async Task Save_SameContent_NoNewRevision()
    {
        await SaveAsync("runbook", "same", null);

        var again = await SaveAsync("runbook", "same", 1);

        Assert.Equal(WikiSaveStatus.Unchanged, again.Status);
        Assert.Equal(1, again.Page.Revision);
    }

    [Fact]
    public async Task Save_WritesEventOnSpineInSameTransaction()
    {
        var page = (await SaveAsync("runbook", "x", null, services: ["demo-web"])).Page;
        await SaveAsync("runbook", "y", 1, message: "tidy");

        await using var db = _host.Database.CreateContext();
        var kinds = await db.Events.Where(e => e.SubjectType == WikiEventKinds.SubjectType && e.SubjectId == page.Id.ToString())
            .OrderBy(e => e.Id).Select(e => new { e.Kind, e.Service, e.Summary }).ToListAsync();
        Assert.Equal([WikiEventKinds.PageCreated, WikiEventKinds.PageEdited], kinds.Select(k => k.Kind));
        Assert.All(kinds, k => Assert.Equal("demo-web", k.Service));
        Assert.EndsWith(": tidy", kinds[1].Summary);
    }

    [Fact]
    public async Task Restore_OldRevision_BecomesNewRevision()
    {
        await SaveAsync("runbook", "v1", null, title: "One");
        await SaveAsync("runbook", "v2", 1, title: "Two");

        var restored = await Wiki.RestoreAsync(As.Engineer("carol@test"), "runbook", 1).OkAsync();

        Assert.Equal(WikiSaveStatus.Updated, restored.Status);
        Assert.Equal(3, restored.Page.Revision);
        Assert.Equal(("One", "v1"), (restored.Page.Title, restored.Page.Body));
        var history = await Wiki.RevisionsAsync(restored.Page.Id);
        Assert.Equal("Restored revision 1", history[0].Message);
        Assert.Equal("carol@test", history[0].Author);
        Assert.Equal("v2", (await Wiki.RevisionAsync(restored.Page.Id, 2))!.Body);
    }

    [Fact]
    public async Task Move_OldSlugRedirectsAndLinksStillResolve()
    {
        var target = (await SaveAsync("postgres/failover", "steps", null)).Page;
        await SaveAsync("on-call", "See [[postgres/failover|failover]].", null, title: "On call");

        var moved = await Wiki.MoveAsync(As.Engineer("alice@test"), "postgres/failover", "databases/postgres/failover").OkAsync();

        Assert.Equal(WikiSaveStatus.Updated, moved.Status);
        var viaOld = await Wiki.GetAsync("postgres/failover");
        Assert.Equal("databases/postgres/failover", viaOld!.Slug);
        Assert.Equal("postgres/failover", viaOld.RedirectedFrom);
        Assert.Equal("on-call", Assert.Single(await Wiki.BacklinksAsync(target.Id)).FromSlug);
        Assert.Empty(await Wiki.BrokenLinksAsync());
        Assert.Equal(["databases/postgres/failover", "postgres/failover"],
            (await Wiki.RevisionsAsync(target.Id)).Select(r => r.Slug));
        // Editing through the old address edits the moved page.
        var edited = await SaveAsync("postgres/failover", "more steps", 2);
        Assert.Equal(("databases/postgres/failover", 3), (edited.Page.Slug, edited.Page.Revision));
    }

    [Fact]
    public async Task Move_OntoExistingPage_Refused()
    {
        await SaveAsync("a", "x", null);
        await SaveAsync("b", "y", null);

        var result = await Wiki.MoveAsync(As.Engineer("alice@test"), "a", "b").RefusedAsync(RefusalKind.Invalid);

        Assert.Contains("already exists", result.Detail, StringComparison.Ordinal);
        Assert.Equal("x", (await Wiki.GetAsync("a"))!.Body);
    }

    [Fact]
    public async Task Links_BrokenUntilTargetCreated_CodeIgnored()
    {
        await SaveAsync("home", "[[Missing Page]] and `[[not a link]]`\n```\n[[also not]]\n```", null, title: "Home");

        Assert.Equal("missing-page", Assert.Single(await Wiki.BrokenLinksAsync()).TargetSlug);

        await SaveAsync("missing-page", "now here", null, title: "Missing page");
        Assert.Empty(await Wiki.BrokenLinksAsync());
    }

    [Fact]
    public async Task Runbooks_ForService_AndStaleAfterConfiguredMonths()
    {
        await SaveAsync("pg-lag", "x", null, title: "Postgres replica lag", services: ["postgres", "demo-web"]);
        _clock.Now = _clock.Now.AddMonths(7);
        await SaveAsync("web-5xx", "x", null, title: "5xx spike", services: ["demo-web"]);
        await SaveAsync("notes", "x", null, title: "Notes");

        var runbooks = await Wiki.RunbooksForServiceAsync("demo-web");

        Assert.Equal(["web-5xx", "pg-lag"], runbooks.Select(r => r.Slug));
        Assert.Equal([false, true], runbooks.Select(r => r.IsStale));
        Assert.Equal("pg-lag", Assert.Single(await Wiki.StaleRunbooksAsync()).Slug);
        Assert.Empty(await Wiki.RunbooksForServiceAsync("nothing"));
    }

    [Fact]
    public async Task Tree_GroupsBySegment()
    {
        await SaveAsync("databases", "x", null, title: "Databases");
        await SaveAsync("databases/postgres/failover", "x", null);
        await SaveAsync("databases/postgres/lag", "x", null);
        await SaveAsync("web", "x", null, title: "Web");

        var top = await Wiki.TreeAsync(null);
        var below = await Wiki.TreeAsync("databases");

        Assert.Equal([("databases", "Databases", 2), ("web", "Web", 0)], top.Select(n => (n.Slug, n.Title, n.Descendants)));
        Assert.Equal(("databases/postgres", null, 2), (below.Single().Slug, below.Single().Title, below.Single().Descendants));
    }

    [Fact]
    public async Task Images_TypeFromBytesAndSizeLimit()
    {
        await SaveAsync("runbook", "x", null);
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3];

        var ok = await Wiki.AddImageAsync(As.Engineer("alice@test"), "runbook", "graph.png", png).OkAsync();
        var svg = await Wiki.AddImageAsync(As.Engineer("alice@test"), "runbook", "x.svg", "<svg onload=alert(1)>"u8.ToArray()).RefusedAsync(RefusalKind.Invalid);
        var big = await Wiki.AddImageAsync(As.Engineer("alice@test"), "runbook", "big.png", [.. png, .. new byte[3 * 1024 * 1024]]).RefusedAsync(RefusalKind.TooLarge);

        Assert.Equal("image/png", (await Wiki.ImageAsync(ok))!.Value.ContentType);
        Assert.Contains("PNG", svg.Detail, StringComparison.Ordinal);
        Assert.Contains("limit", big.Detail, StringComparison.Ordinal);
    }
}
