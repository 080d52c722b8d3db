using Npgsql;
using OpsPortal.Core.Wiki;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Wiki;

/// <summary>What the bounded search (ADR-016) must keep: title and heading matches first, snippets
/// from deep inside long pages, phrases, negation, and what the candidate bound gives up.</summary>
public sealed class WikiSearchRankingTests : IAsyncLifetime
{
    private readonly FixedClock _clock = new(new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero));
    private WikiTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await WikiTestHost.CreateAsync(_clock);
        var repeated = string.Join(" ", Enumerable.Repeat("Certificate rotation failed again.", 40));
        await SaveAsync("notes/misc", "Misc notes", repeated);
        await SaveAsync("runbooks/tls", "Certificate rotation", "Run the renewal job, then reload nginx.");
        await SaveAsync("runbooks/db", "Database notes", "## Certificate rotation\n\nThe database uses its own CA.\n\n## Backups\n\nNightly.");
        await SaveAsync("runbooks/slots", "Slots", "Replication slots are full when a standby is gone.");
        await SaveAsync("runbooks/apart", "Apart", "The slots that replication uses live on the primary.");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task TitleThenHeadingMatches_RankAboveABodyThatRepeatsTheWords()
    {
        var hits = await _host.Search.SearchAsync("certificate rotation").OkAsync();

        Assert.Equal(["runbooks/tls", "runbooks/db", "notes/misc"], hits.Select(h => h.Slug));
    }

    [Fact]
    public async Task LongBody_SnippetHighlightsAHitFarPastTheWindow()
    {
        var filler = string.Join("\n\n", Enumerable.Range(0, 2000).Select(i => $"Paragraph {i} about nothing in particular."));
        Assert.True(filler.Length > 3 * WikiSearch.SnippetWindow);
        await SaveAsync("big/handbook", "Handbook", filler + "\n\nDiverged standby after a failover: rebuild it.\n\n" + filler);

        var hit = Assert.Single(await _host.Search.SearchAsync("diverged").OkAsync());

        Assert.Contains("<mark>Diverged</mark>", hit.SnippetHtml);
        Assert.Contains("standby", hit.SnippetHtml);
    }

    [Fact]
    public async Task Phrase_MatchesOnlyAdjacentWords_AndNegationExcludesTitleAndHeadingWords()
    {
        var search = _host.Search;

        Assert.Equal(["runbooks/slots"], (await search.SearchAsync("\"replication slots\"").OkAsync()).Select(h => h.Slug));
        Assert.Equal(["runbooks/apart", "runbooks/slots"], (await search.SearchAsync("replication slots").OkAsync()).Select(h => h.Slug).Order());
        Assert.Equal(["notes/misc", "runbooks/db"], (await search.SearchAsync("rotation -nginx").OkAsync()).Select(h => h.Slug).Order());
        Assert.Equal(["notes/misc", "runbooks/tls"], (await search.SearchAsync("rotation -database").OkAsync()).Select(h => h.Slug).Order());
    }

    [Fact]
    public async Task PastTheCandidateBound_HeadMatchesStayFirst_AndOnlyTheNewestBodyMatchesAreRanked()
    {
        await SaveAsync("a/strong", "Strong", string.Join(" ", Enumerable.Repeat("The failover drill went well.", 20)));
        for (var i = 1; i <= 3; i++)
        {
            await SaveAsync($"a/weak-{i}", $"Weak {i}", $"Notes {i}: one failover, a long time ago, then many unrelated words about dashboards.");
        }
        await SaveAsync("a/howto", "Failover how-to", "Steps.");
        _clock.Now = _clock.Now.AddDays(-30); // the title match is the oldest page of all
        await SaveAsync("a/old-title", "Failover checklist", "Old but on point.");

        var all = await _host.Search.SearchAsync("failover").OkAsync();
        var bounded = await new WikiSearch(_host.Services.GetRequiredService<NpgsqlDataSource>()) { RankedCandidates = 4 }
            .SearchAsync("failover", limit: 4).OkAsync();

        Assert.Equal(["a/howto", "a/old-title"], all.Take(2).Select(h => h.Slug).Order());
        Assert.Equal("a/strong", all[2].Slug);
        Assert.Equal(["a/howto", "a/old-title"], bounded.Take(2).Select(h => h.Slug).Order());
        Assert.Equal(["a/weak-2", "a/weak-3"], bounded.Skip(2).Select(h => h.Slug).Order());
    }

    private async Task SaveAsync(string slug, string title, string body)
    {
        _clock.Now = _clock.Now.AddMinutes(1);
        await _host.Wiki.SaveAsync(As.Engineer("t"), slug, new WikiSaveRequest(title, body, null, null)).OkAsync();
    }
}
