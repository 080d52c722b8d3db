using Microsoft.EntityFrameworkCore;
using OpsPortal.Core;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Tickets;

namespace OpsPortal.Tests.Tickets;

public sealed class TicketServiceTests : TicketTestNode
{
    private TicketService Tickets => Services.GetRequiredService<TicketService>();

    [Fact]
    public async Task Update_StaleVersion_ConflictListsTheMissedChangesAndKeepsTheirs()
    {
        var ticket = await Tickets.CreateAsync(new NewTicket("Disk alert"), "a@x.test");
        await Tickets.UpdateAsync(ticket.Key, new TicketEdit { Priority = TicketPriority.P1 }, 1, "bob@x.test");

        var conflict = await Assert.ThrowsAsync<TicketConflictException>(() =>
            Tickets.UpdateAsync(ticket.Key, new TicketEdit { Priority = TicketPriority.P4, Title = "Disk alert db1" }, 1, "a@x.test"));

        var missed = Assert.Single(conflict.Missed);
        Assert.Equal(("bob@x.test", 2), (missed.Actor, missed.Version));
        Assert.Equal([new FieldChange("priority", "P3", "P1")], missed.Changes);
        var stored = await Tickets.FindAsync(ticket.Key);
        Assert.Equal(("Disk alert", TicketPriority.P1, 2), (stored!.Title, stored.Priority, stored.RowVersion));
    }

    [Fact]
    public async Task Update_DisallowedMove_IsRefusedAndNothingChanges()
    {
        var ticket = await Tickets.CreateAsync(new NewTicket("t"), "a@x.test");

        await Assert.ThrowsAsync<TicketWorkflowException>(() =>
            Tickets.UpdateAsync(ticket.Key, new TicketEdit { Status = TicketStatus.Closed, Title = "u" }, 1, "a@x.test"));

        var stored = await Tickets.FindAsync(ticket.Key);
        Assert.Equal(("t", TicketStatus.Open, 1), (stored!.Title, stored.Status, stored.RowVersion));
    }

    [Fact]
    public async Task EditComment_KeepsThePreviousBody_AndOnlyTheAuthorMayEdit()
    {
        var ticket = await Tickets.CreateAsync(new NewTicket("t"), "a@x.test");
        var comment = await Tickets.AddCommentAsync(ticket.Key, "first", "a@x.test");

        await Tickets.EditCommentAsync(ticket.Key, comment.Id, "second", "a@x.test");
        await Assert.ThrowsAsync<TicketValidationException>(() => Tickets.EditCommentAsync(ticket.Key, comment.Id, "mine now", "b@x.test"));

        var details = await Tickets.GetAsync(ticket.Key);
        var stored = Assert.Single(details!.Comments);
        Assert.Equal("second", stored.Body);
        Assert.NotNull(stored.EditedAt);
        Assert.Equal("first", Assert.Single(stored.Revisions).Body);
    }

    [Fact]
    public async Task Link_BlocksAnotherTicket_ShowsAsBlockedByOnTheOther()
    {
        var a = await Tickets.CreateAsync(new NewTicket("Upgrade kernel"), "a@x.test");
        var b = await Tickets.CreateAsync(new NewTicket("Reboot fleet"), "a@x.test");

        await Tickets.AddLinkAsync(a.Key, TicketLinkKinds.Blocks, TicketLinkTargets.Ticket, b.Key.ToLowerInvariant(), "a@x.test");

        var onA = Assert.Single((await Tickets.GetAsync(a.Key))!.Links);
        var onB = Assert.Single((await Tickets.GetAsync(b.Key))!.Links);
        Assert.Equal((TicketLinkKinds.Blocks, b.Key, "Reboot fleet", false), (onA.Kind, onA.TargetId, onA.Title, onA.Incoming));
        Assert.Equal((TicketLinkKinds.BlockedBy, a.Key, "Upgrade kernel", true), (onB.Kind, onB.TargetId, onB.Title, onB.Incoming));
        await Assert.ThrowsAsync<TicketNotFoundException>(() => Tickets.AddLinkAsync(a.Key, TicketLinkKinds.RelatesTo, TicketLinkTargets.Ticket, "OPS-99", "a@x.test"));
        await Assert.ThrowsAsync<TicketValidationException>(() => Tickets.AddLinkAsync(a.Key, TicketLinkKinds.RelatesTo, TicketLinkTargets.Ticket, a.Key, "a@x.test"));
    }

    [Fact]
    public async Task Bulk_ChangesWhatFits_AndReportsWhatTheWorkflowRefuses()
    {
        var open = await Tickets.CreateAsync(new NewTicket("open one", Labels: ["old"]), "a@x.test");
        var closed = await Tickets.CreateAsync(new NewTicket("closed one", Labels: ["old"]), "a@x.test");
        await Tickets.UpdateAsync(closed.Key, new TicketEdit { Status = TicketStatus.Resolved }, 1, "a@x.test");
        await Tickets.UpdateAsync(closed.Key, new TicketEdit { Status = TicketStatus.Closed }, 2, "a@x.test");

        var result = await Tickets.BulkUpdateAsync([open.Key, closed.Key, "OPS-404"],
            new BulkEdit { Status = TicketStatus.InProgress, AddLabels = ["triaged"], RemoveLabels = ["old"] }, "lead@x.test");

        Assert.Equal([open.Key], result.Changed);
        Assert.Equal("No such ticket.", result.Skipped["OPS-404"]);
        Assert.StartsWith("A ticket cannot move from Closed to In progress.", result.Skipped[closed.Key], StringComparison.Ordinal);
        var stored = await Tickets.FindAsync(open.Key);
        Assert.Equal((TicketStatus.InProgress, "triaged"), (stored!.Status, string.Join(",", stored.Labels)));
        Assert.Equal(["old"], (await Tickets.FindAsync(closed.Key))!.Labels);
    }

    [Fact]
    public async Task Watch_Toggles_AndRecordsEvents()
    {
        var ticket = await Tickets.CreateAsync(new NewTicket("t"), "a@x.test");

        await Tickets.SetWatchingAsync(ticket.Key, "b@x.test", true);
        await Tickets.SetWatchingAsync(ticket.Key, "b@x.test", true);
        await Tickets.SetWatchingAsync(ticket.Key, "a@x.test", false);

        Assert.Equal(["b@x.test"], (await Tickets.GetAsync(ticket.Key))!.Watchers);
        var kinds = (await Tickets.ActivityAsync(ticket.Key)).Select(e => e.Kind);
        Assert.Equal([TicketEventKinds.Created, TicketEventKinds.Watched, TicketEventKinds.Unwatched], kinds);
    }

    [Fact]
    public async Task SavedFilters_PersonalAreOwnTeamAreShared_BuiltInsCannotBeReplaced()
    {
        var filters = Services.GetRequiredService<TicketFilterService>();
        var a = new Actor("a@x.test", Roles.Engineer);
        await filters.SaveAsync(a, "Mine in db", "status=active&assignee=@me&label=db", personal: true);
        var team = (await filters.SaveAsync(a, "DB P1", "priority=P1&service=db", personal: false)).Value;

        var forA = (await filters.ListAsync("a@x.test")).Select(f => f.Name);
        var forB = (await filters.ListAsync("b@x.test")).Select(f => f.Name);

        Assert.Equal(["My open", "Unassigned P1", "DB P1", "Mine in db"], forA);
        Assert.Equal(["My open", "Unassigned P1", "DB P1"], forB);
        Assert.Equal(RefusalKind.Invalid, (await filters.SaveAsync(a, "my open", "", personal: true)).Refusal?.Kind);
        Assert.Equal(RefusalKind.Invalid, (await filters.SaveAsync(a, "Bad", "status=done", personal: true)).Refusal?.Kind);
        Assert.Equal(RefusalKind.Forbidden, (await filters.DeleteAsync(new Actor("b@x.test", Roles.Engineer), team.Id!.Value)).Refusal?.Kind);
        Assert.True((await filters.DeleteAsync(new Actor("b@x.test", Roles.Admin), team.Id!.Value)).Succeeded);
    }

    [Fact]
    public void TicketQuery_RoundTripsThroughItsQueryString()
    {
        var query = TicketQuery.Parse("status=active&priority=P1,P2&type=incident&assignee=@me&label=db&q=pool&sort=due&dir=asc&page=2");

        Assert.Equal(TicketQuery.Active, query.Statuses);
        Assert.Equal((TicketSort.Due, true, 2), (query.Sort, query.Ascending, query.Page));
        Assert.Equal("status=active&priority=P1%2CP2&type=incident&assignee=%40me&label=db&q=pool&sort=due&dir=asc&page=2",
            query.ToQueryString(withPaging: true));
        var again = TicketQuery.Parse(query.ToQueryString(withPaging: true));
        Assert.Equal(query, again with { Statuses = query.Statuses, Priorities = query.Priorities, Types = query.Types });
        Assert.Equal(query.Priorities, again.Priorities);
    }

    [Fact]
    public async Task MarkdownReference_KnownKeyBecomesLinkWithTitleAndStatus_UnknownStaysText()
    {
        var ticket = await Tickets.CreateAsync(new NewTicket("DNS flapping"), "a@x.test");
        await using var scope = Services.CreateAsyncScope();
        var markdown = scope.ServiceProvider.GetRequiredService<OpsPortal.Core.Markdown.MarkdownService>();

        var html = await markdown.RenderAsync($"See {ticket.Key} and OPS-999.");

        Assert.Contains($"<a class=\"ticket-ref\" href=\"/tickets/{ticket.Key}\" title=\"DNS flapping (Open)\" data-status=\"Open\">{ticket.Key}</a>", html, StringComparison.Ordinal);
        Assert.Contains("and OPS-999.", html, StringComparison.Ordinal);
        await using var db = Db.CreateContext();
        Assert.Equal(1, await db.Set<Ticket>().CountAsync());
    }
}
