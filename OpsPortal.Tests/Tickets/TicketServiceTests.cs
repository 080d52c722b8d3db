using Microsoft.EntityFrameworkCore;
using OpsPortal.Core;
using OpsPortal.Core.Tickets;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Tickets;

public sealed class TicketServiceTests : TicketTestNode
{
    private TicketService Tickets => Services.GetRequiredService<TicketService>();

    [Fact]
    public async Task Update_StaleVersion_ConflictListsTheMissedChangesAndKeepsTheirs()
    {
        var ticket = await Tickets.CreateAsync(new NewTicket("Disk alert"), As.Engineer("a@x.test")).OkAsync();
        await Tickets.UpdateAsync(ticket.Key, new TicketEdit { Priority = TicketPriority.P1 }, 1, As.Engineer("bob@x.test")).OkAsync();

        var conflict = await Tickets.UpdateAsync(ticket.Key, new TicketEdit { Priority = TicketPriority.P4, Title = "Disk alert db1" }, 1, As.Engineer("a@x.test"))
            .RefusedAsync(RefusalKind.Conflict);

        Assert.True(conflict.TryGetConflict(out var current, out var changes));
        Assert.Equal(2, current);
        var missed = Assert.Single(changes);
        Assert.Equal(("bob@x.test", 2), (missed.Actor, missed.Version));
        Assert.Equal([new FieldChange("priority", "P3", "P1")], missed.Changes);
        var stored = await Tickets.FindAsync(ticket.Key);
        Assert.Equal(("Disk alert", TicketPriority.P1, 2), (stored!.Title, stored.Priority, stored.RowVersion));
    }

    [Fact]
    public async Task Update_DisallowedMove_IsRefusedAndNothingChanges()
    {
        var ticket = await Tickets.CreateAsync(new NewTicket("t"), As.Engineer("a@x.test")).OkAsync();

        await Tickets.UpdateAsync(ticket.Key, new TicketEdit { Status = TicketStatus.Closed, Title = "u" }, 1, As.Engineer("a@x.test"))
            .RefusedAsync(RefusalKind.Unprocessable);

        var stored = await Tickets.FindAsync(ticket.Key);
        Assert.Equal(("t", TicketStatus.Open, 1), (stored!.Title, stored.Status, stored.RowVersion));
    }

    [Fact]
    public async Task EditComment_KeepsThePreviousBody_AndOnlyTheAuthorMayEdit()
    {
        var ticket = await Tickets.CreateAsync(new NewTicket("t"), As.Engineer("a@x.test")).OkAsync();
        var comment = await Tickets.AddCommentAsync(ticket.Key, "first", As.Engineer("a@x.test")).OkAsync();

        await Tickets.EditCommentAsync(ticket.Key, comment.Id, "second", As.Engineer("a@x.test")).OkAsync();
        await Tickets.EditCommentAsync(ticket.Key, comment.Id, "mine now", As.Engineer("b@x.test")).RefusedAsync(RefusalKind.Invalid);

        var details = await Tickets.GetAsync(ticket.Key);
        var stored = Assert.Single(details!.Comments);
        Assert.Equal("second", stored.Body);
        Assert.NotNull(stored.EditedAt);
        Assert.Equal("first", Assert.Single(stored.Revisions).Body);
    }

    [Fact]
    public async Task Link_BlocksAnotherTicket_ShowsAsBlockedByOnTheOther()
    {
        var a = await Tickets.CreateAsync(new NewTicket("Upgrade kernel"), As.Engineer("a@x.test")).OkAsync();
        var b = await Tickets.CreateAsync(new NewTicket("Reboot fleet"), As.Engineer("a@x.test")).OkAsync();

        await Tickets.AddLinkAsync(a.Key, TicketLinkKinds.Blocks, TicketLinkTargets.Ticket, b.Key.ToLowerInvariant(), As.Engineer("a@x.test")).OkAsync();

        var onA = Assert.Single((await Tickets.GetAsync(a.Key))!.Links);
        var onB = Assert.Single((await Tickets.GetAsync(b.Key))!.Links);
        Assert.Equal((TicketLinkKinds.Blocks, b.Key, "Reboot fleet", false), (onA.Kind, onA.TargetId, onA.Title, onA.Incoming));
        Assert.Equal((TicketLinkKinds.BlockedBy, a.Key, "Upgrade kernel", true), (onB.Kind, onB.TargetId, onB.Title, onB.Incoming));
        await Tickets.AddLinkAsync(a.Key, TicketLinkKinds.RelatesTo, TicketLinkTargets.Ticket, "OPS-99", As.Engineer("a@x.test")).RefusedAsync(RefusalKind.NotFound);
        await Tickets.AddLinkAsync(a.Key, TicketLinkKinds.RelatesTo, TicketLinkTargets.Ticket, a.Key, As.Engineer("a@x.test")).RefusedAsync(RefusalKind.Invalid);
    }

    [Fact]
    public async Task Bulk_StatusRefusedForOneTicket_StillAppliesItsLabels_AndReportsTheRefusedMove()
    {
        var open = await Tickets.CreateAsync(new NewTicket("open one", Labels: ["old"]), As.Engineer("a@x.test")).OkAsync();
        var closed = await Tickets.CreateAsync(new NewTicket("closed one", Labels: ["old"]), As.Engineer("a@x.test")).OkAsync();
        await Tickets.UpdateAsync(closed.Key, new TicketEdit { Status = TicketStatus.Resolved }, 1, As.Engineer("a@x.test")).OkAsync();
        await Tickets.UpdateAsync(closed.Key, new TicketEdit { Status = TicketStatus.Closed }, 2, As.Engineer("a@x.test")).OkAsync();

        var result = await Tickets.BulkUpdateAsync([open.Key, closed.Key, "OPS-404"],
            new BulkEdit { Status = TicketStatus.InProgress, AddLabels = ["triaged"], RemoveLabels = ["old"] }, As.Engineer("lead@x.test")).OkAsync();

        Assert.Equal([open.Key, closed.Key], result.Changed);
        Assert.Equal("No such ticket.", result.Skipped["OPS-404"]);
        Assert.StartsWith("A ticket cannot move from Closed to In progress.", result.Skipped[closed.Key], StringComparison.Ordinal);
        Assert.False(result.Skipped.ContainsKey(open.Key));
        var stored = await Tickets.FindAsync(open.Key);
        Assert.Equal((TicketStatus.InProgress, "triaged"), (stored!.Status, string.Join(",", stored.Labels)));
        var refusedMove = await Tickets.FindAsync(closed.Key);
        Assert.Equal((TicketStatus.Closed, "triaged"), (refusedMove!.Status, string.Join(",", refusedMove.Labels)));
    }

    [Fact]
    public async Task Watch_Toggles_AndRecordsEvents()
    {
        var ticket = await Tickets.CreateAsync(new NewTicket("t"), As.Engineer("a@x.test")).OkAsync();

        await Tickets.SetWatchingAsync(ticket.Key, As.Engineer("b@x.test"), true).OkAsync();
        await Tickets.SetWatchingAsync(ticket.Key, As.Engineer("b@x.test"), true).OkAsync();
        await Tickets.SetWatchingAsync(ticket.Key, As.Engineer("a@x.test"), false).OkAsync();

        Assert.Equal(["b@x.test"], (await Tickets.GetAsync(ticket.Key))!.Watchers);
        var kinds = (await Tickets.ActivityAsync(ticket.Key)).Select(e => e.Kind);
        Assert.Equal([TicketEventKinds.Created, TicketEventKinds.Watched, TicketEventKinds.Unwatched], kinds);
    }

    [Fact]
    public async Task SavedFilters_PersonalAreOwnTeamAreShared_BuiltInsCannotBeReplaced()
    {
        var filters = Services.GetRequiredService<TicketFilterService>();
        await filters.SaveAsync(As.Engineer("a@x.test"), "Mine in db", "status=active&assignee=@me&label=db", personal: true).OkAsync();
        var team = await filters.SaveAsync(As.Engineer("a@x.test"), "DB P1", "priority=P1&service=db", personal: false).OkAsync();

        var forA = (await filters.ListAsync("a@x.test")).Select(f => f.Name);
        var forB = (await filters.ListAsync("b@x.test")).Select(f => f.Name);

        Assert.Equal(["My open", "Unassigned P1", "DB P1", "Mine in db"], forA);
        Assert.Equal(["My open", "Unassigned P1", "DB P1"], forB);
        await filters.SaveAsync(As.Engineer("a@x.test"), "my open", "", personal: true).RefusedAsync(RefusalKind.Invalid);
        await filters.SaveAsync(As.Engineer("a@x.test"), "Bad", "status=done", personal: true).RefusedAsync(RefusalKind.Invalid);
        await filters.DeleteAsync(As.Engineer("b@x.test"), team.Id!.Value).RefusedAsync(RefusalKind.Forbidden);
        await filters.DeleteAsync(As.Admin("b@x.test"), team.Id!.Value).OkAsync();
    }

    [Fact]
    public void TicketQuery_RoundTripsThroughItsQueryString()
    {
        var query = TicketQuery.Parse("status=active&priority=P1,P2&type=incident&assignee=@me&label=db&q=pool&sort=due&dir=asc&page=2").Ok();

        Assert.Equal(TicketQuery.Active, query.Statuses);
        Assert.Equal((TicketSort.Due, true, 2), (query.Sort, query.Ascending, query.Page));
        Assert.Equal("status=active&priority=P1%2CP2&type=incident&assignee=%40me&label=db&q=pool&sort=due&dir=asc&page=2",
            query.ToQueryString(withPaging: true));
        var again = TicketQuery.Parse(query.ToQueryString(withPaging: true)).Ok();
        Assert.Equal(query, again with { Statuses = query.Statuses, Priorities = query.Priorities, Types = query.Types });
        Assert.Equal(query.Priorities, again.Priorities);
    }

    [Fact]
    public async Task MarkdownReference_KnownKeyBecomesLinkWithTitleAndStatus_UnknownStaysText()
    {
        var ticket = await Tickets.CreateAsync(new NewTicket("DNS flapping"), As.Engineer("a@x.test")).OkAsync();
        await using var scope = Services.CreateAsyncScope();
        var markdown = scope.ServiceProvider.GetRequiredService<OpsPortal.Core.Markdown.MarkdownService>();

        var html = await markdown.RenderAsync($"See {ticket.Key} and OPS-999.");

        Assert.Contains($"<a class=\"ticket-ref\" href=\"/tickets/{ticket.Key}\" title=\"DNS flapping (Open)\" data-status=\"Open\">{ticket.Key}</a>", html, StringComparison.Ordinal);
        Assert.Contains("and OPS-999.", html, StringComparison.Ordinal);
        await using var db = Db.CreateContext();
        Assert.Equal(1, await db.Set<Ticket>().CountAsync());
    }
}
