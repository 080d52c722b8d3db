using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpsPortal.Core.Data;
using OpsPortal.Core.Tickets;

using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Tickets;

/// <summary>Full-text search over each ticket's search document (ADR-015): what it finds, in which order, with which snippet.</summary>
public sealed class TicketSearchTests : TicketTestNode
{
    private TicketService Tickets => Services.GetRequiredService<TicketService>();
    private TicketSearch Search => Services.GetRequiredService<TicketSearch>();

    private async Task<List<string>> KeysAsync(string text) => [.. (await Search.SearchAsync(text).OkAsync()).Select(h => h.Key)];

    private async Task<string> SnippetAsync(string text, string key) =>
        Assert.Single(await Search.SearchAsync(text).OkAsync(), h => h.Key == key).SnippetHtml.Trim();

    [Fact]
    public async Task RanksTitleOverDescriptionOverComment_AndLeavesOutTicketsThatDoNotMatch()
    {
        var inComment = await Tickets.CreateAsync(new NewTicket("Checkout errors"), As.Engineer("a@x.test")).OkAsync();
        await Tickets.AddCommentAsync(inComment.Key, "connection pool exhausted again", As.Engineer("a@x.test")).OkAsync();
        var inTitle = await Tickets.CreateAsync(new NewTicket("Connection pool exhausted on db1"), As.Engineer("a@x.test")).OkAsync();
        await Tickets.CreateAsync(new NewTicket("Disk full", "nothing about pools"), As.Engineer("a@x.test")).OkAsync();
        var inDescription = await Tickets.CreateAsync(new NewTicket("Checkout slow", "the connection pool was exhausted at noon"), As.Engineer("a@x.test")).OkAsync();

        var hits = await Search.SearchAsync("connection pool exhausted").OkAsync();

        Assert.Equal([inTitle.Key, inDescription.Key, inComment.Key], hits.Select(h => h.Key));
        Assert.True(hits[0].Rank > hits[1].Rank && hits[1].Rank > hits[2].Rank, string.Join(", ", hits.Select(h => h.Rank)));
        Assert.Equal("<mark>Connection</mark> <mark>pool</mark> <mark>exhausted</mark>", hits[0].SnippetHtml.Trim());
        Assert.Equal("Checkout slow — the <mark>connection</mark> <mark>pool</mark> was <mark>exhausted</mark> at noon", hits[1].SnippetHtml.Trim());
        Assert.Equal("<mark>connection</mark> <mark>pool</mark> <mark>exhausted</mark> again", hits[2].SnippetHtml.Trim());
    }

    [Fact]
    public async Task Snippet_ComesFromTheCommentThatMatches_NotFromTheTicketOrOtherComments()
    {
        var ticket = await Tickets.CreateAsync(new NewTicket("Queue trouble", "workers look idle"), As.Engineer("a@x.test")).OkAsync();
        await Tickets.AddCommentAsync(ticket.Key, "first look: nothing in the logs", As.Engineer("a@x.test")).OkAsync();
        await Tickets.AddCommentAsync(ticket.Key, "the redis backlog grew to 40k overnight", As.Engineer("b@x.test")).OkAsync();
        await Tickets.AddCommentAsync(ticket.Key, "restarted the workers", As.Engineer("a@x.test")).OkAsync();

        Assert.Equal("redis <mark>backlog</mark> grew to 40k overnight", await SnippetAsync("backlog", ticket.Key));
        // One word in the description, all of them in a comment: the comment is the better snippet.
        Assert.Equal("<mark>restarted</mark> the <mark>workers</mark>", await SnippetAsync("restarted workers", ticket.Key));
        Assert.Equal("Queue trouble — <mark>workers</mark> look <mark>idle</mark>", await SnippetAsync("idle workers", ticket.Key));
    }

    [Fact]
    public async Task WordsSpreadOverTheDescriptionAndAComment_FindTheTicket()
    {
        var ticket = await Tickets.CreateAsync(new NewTicket("Payments", "cert on the gateway"), As.Engineer("a@x.test")).OkAsync();
        await Tickets.AddCommentAsync(ticket.Key, "it expired at midnight", As.Engineer("a@x.test")).OkAsync();

        Assert.Equal([ticket.Key], await KeysAsync("gateway expired"));
    }

    [Fact]
    public async Task EditingOrDeletingAComment_UpdatesTheDocument()
    {
        var ticket = await Tickets.CreateAsync(new NewTicket("Broker"), As.Engineer("a@x.test")).OkAsync();
        var comment = await Tickets.AddCommentAsync(ticket.Key, "kafka rebalance storm", As.Engineer("a@x.test")).OkAsync();
        Assert.Equal([ticket.Key], await KeysAsync("rebalance"));

        await Tickets.EditCommentAsync(ticket.Key, comment.Id, "dns outage upstream", As.Engineer("a@x.test")).OkAsync();

        Assert.Empty(await KeysAsync("rebalance"));
        Assert.Equal("<mark>dns</mark> outage upstream", await SnippetAsync("dns", ticket.Key));

        await InUnitAsync(db => db.Set<TicketComment>().Where(c => c.Id == comment.Id).ExecuteDeleteAsync());

        Assert.Empty(await KeysAsync("dns"));
        Assert.Equal([ticket.Key], await KeysAsync("broker"));
    }

    [Fact]
    public async Task EditingTheTicketText_UpdatesTheDocument_AndDeletingTheTicketRemovesIt()
    {
        var ticket = await Tickets.CreateAsync(new NewTicket("Memory leak in api", "rss grows"), As.Engineer("a@x.test")).OkAsync();
        await Tickets.AddCommentAsync(ticket.Key, "heap dump attached", As.Engineer("a@x.test")).OkAsync();

        var edited = await Tickets.UpdateAsync(ticket.Key, new TicketEdit { Title = "CPU spike in api", Description = "load average 40" }, 1, As.Engineer("a@x.test")).OkAsync();

        Assert.Empty(await KeysAsync("leak"));
        Assert.Equal([ticket.Key], await KeysAsync("spike load"));
        Assert.Equal([ticket.Key], await KeysAsync("heap dump"));
        // A comment is not an edit of the ticket: it leaves the ticket's version alone.
        await Tickets.AddCommentAsync(ticket.Key, "flame graph next", As.Engineer("a@x.test")).OkAsync();
        Assert.Equal(edited.RowVersion, (await Tickets.FindAsync(ticket.Key))!.RowVersion);

        await InUnitAsync(db => db.Set<Ticket>().Where(t => t.Key == ticket.Key).ExecuteDeleteAsync());

        Assert.Empty(await KeysAsync("spike"));
        Assert.Equal(0, await DocumentCountAsync());
    }

    [Fact]
    public async Task Migration_BackfillsTheDocumentsOfExistingTicketsAndComments()
    {
        var ticket = await Tickets.CreateAsync(new NewTicket("Nightly backup", "runs at 02:00"), As.Engineer("a@x.test")).OkAsync();
        await Tickets.AddCommentAsync(ticket.Key, "restore drill passed", As.Engineer("a@x.test")).OkAsync();
        await InUnitAsync(async db =>
        {
            // As a database from before the migration: no search documents, text written without them.
            await db.Database.ExecuteSqlRawAsync(TicketSearchSql.Down);
            await db.Database.ExecuteSqlAsync($"INSERT INTO ticket_comments (ticket_id, author, body, created_at) VALUES ({ticket.Id}, 'b@x.test', 'checksum mismatch on replica', now())");
            await db.Database.ExecuteSqlRawAsync(TicketSearchSql.Up);
        });

        Assert.Equal(1, await DocumentCountAsync());
        Assert.Equal([ticket.Key], await KeysAsync("backup"));
        Assert.Equal([ticket.Key], await KeysAsync("restore drill"));
        Assert.Equal("<mark>checksum</mark> <mark>mismatch</mark> on replica", await SnippetAsync("checksum mismatch", ticket.Key));
    }

    [Fact]
    public async Task TwoTransactionsCommentingOnOneTicketAtOnce_BothCommentsReachTheDocument()
    {
        var ticket = await Tickets.CreateAsync(new NewTicket("Race"), As.Engineer("a@x.test")).OkAsync();
        await using var first = new NpgsqlConnection(Db.ConnectionString);
        await using var second = new NpgsqlConnection(Db.ConnectionString);
        await first.OpenAsync();
        await second.OpenAsync();
        await using var transaction = await first.BeginTransactionAsync();
        await InsertCommentAsync(first, ticket.Id, "zebra crossing");

        // The second writer's rebuild must wait for the first, then see its comment.
        var secondInsert = InsertCommentAsync(second, ticket.Id, "giraffe neck");
        await WaitUntilWaitingForALockAsync(second.ProcessID);
        await transaction.CommitAsync();
        await secondInsert;

        Assert.Equal([ticket.Key], await KeysAsync("zebra giraffe"));
    }

    private static async Task InsertCommentAsync(NpgsqlConnection conn, long ticketId, string body)
    {
        await using var cmd = new NpgsqlCommand("INSERT INTO ticket_comments (ticket_id, author, body, created_at) VALUES (@t, 'a@x.test', @b, now())", conn);
        cmd.Parameters.AddWithValue("t", ticketId);
        cmd.Parameters.AddWithValue("b", body);
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task WaitUntilWaitingForALockAsync(int pid)
    {
        await using var conn = new NpgsqlConnection(Db.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = @pid", conn);
        cmd.Parameters.AddWithValue("pid", pid);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await cmd.ExecuteScalarAsync() is not true)
        {
            Assert.True(DateTime.UtcNow < deadline, "the second writer never waited for the first");
            await Task.Delay(20);
        }
    }

    private Task<int> DocumentCountAsync() =>
        InUnitAsync(db => db.Database
            .SqlQueryRaw<int>("SELECT count(*)::int AS \"Value\" FROM ticket_search").SingleAsync(), save: false);
}

/// <summary>A query matching more tickets than <c>SearchCandidates</c> ranks only the newest of them (ADR-015).</summary>
public sealed class TicketSearchCandidateTests : TicketTestNode
{
    protected override Dictionary<string, string?> Settings => new() { ["OpsPortal:Tickets:SearchCandidates"] = "20" };

    [Fact]
    public async Task CommonWords_RankOnlyTheNewestCandidates_RareWordsStillFindOldTickets()
    {
        var tickets = Services.GetRequiredService<TicketService>();
        var search = Services.GetRequiredService<TicketSearch>();
        var oldest = await tickets.CreateAsync(new NewTicket("Pool exhausted", "pool exhausted, pool exhausted; segfault in the driver"), As.Engineer("a@x.test")).OkAsync();
        var newer = new List<string>();
        for (var i = 0; i < 21; i++)
        {
            newer.Add((await tickets.CreateAsync(new NewTicket($"Ticket {i}", "the pool was exhausted"), As.Engineer("a@x.test")).OkAsync()).Key);
        }

        var common = await search.SearchAsync("pool exhausted", limit: 100).OkAsync();
        var rare = await search.SearchAsync("segfault").OkAsync();

        // The oldest ticket would rank first; it is outside the 20 newest matches, and so is newer[0].
        Assert.Equal(newer.Skip(1).Order(), common.Select(h => h.Key).Order());
        Assert.Equal([oldest.Key], rare.Select(h => h.Key));
    }
}
