using Microsoft.EntityFrameworkCore;
using OpsPortal.Core;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Tickets;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Tickets;

/// <summary>The hook deploys, incidents and alerts call: it joins the caller's unit of work and never saves on its own.</summary>
public sealed class TicketHookTests : TicketTestNode
{
    [Fact]
    public async Task CreateFor_CallerSaves_TicketLinkAndEventsCommitTogether()
    {
        var ticket = await InUnitAsync(db => Hook.CreateForAsync(db, DeployRequest(), As.Engineer("deployer@x.test")).OkAsync());

        Assert.Equal("OPS-1", ticket.Key);
        await using var db = Db.CreateContext();
        var stored = await db.Set<Ticket>().Include(t => t.Links).Include(t => t.Watchers).SingleAsync();
        Assert.Equal(("OPS-1", TicketType.Deploy, TicketPriority.P2, TicketStatus.Open, "web"),
            (stored.Key, stored.Type, stored.Priority, stored.Status, stored.Service));
        Assert.Equal("deployer@x.test", stored.Reporter);
        var link = Assert.Single(stored.Links);
        Assert.Equal((TicketLinkKinds.RelatesTo, "deploy", "42"), (link.Kind, link.TargetType, link.TargetId));
        Assert.Equal("deployer@x.test", Assert.Single(stored.Watchers).UserEmail);
        var kinds = await db.Events.Where(e => e.SubjectType == "ticket" && e.SubjectId == "OPS-1").Select(e => e.Kind).ToListAsync();
        Assert.Equal([TicketEventKinds.Created, TicketEventKinds.Linked], kinds.Order());
    }

    [Fact]
    public async Task CreateFor_CallerDoesNotSave_NothingIsStored()
    {
        await InUnitAsync(db => Hook.CreateForAsync(db, DeployRequest(), As.Engineer("deployer@x.test")), save: false);

        await using var db = Db.CreateContext();
        Assert.False(await db.Set<Ticket>().AnyAsync());
        Assert.False(await db.Set<TicketLink>().AnyAsync());
        Assert.False(await db.Events.AnyAsync());
    }

    [Fact]
    public async Task CreateFor_CallerEntityFailsToSave_TicketRollsBackWithIt()
    {
        await using var db = Db.CreateContext();
        await Hook.CreateForAsync(db, DeployRequest(), As.Engineer("deployer@x.test")).OkAsync();
        // The caller's own row breaks a constraint (an event summary over its 1000-char limit).
        db.Events.Add(new OpsEvent { Actor = "x", Kind = "deploy.started", SubjectType = "deploy", SubjectId = "42", Summary = new string('x', 1001) });

        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());

        await using var check = Db.CreateContext();
        Assert.False(await check.Set<Ticket>().AnyAsync());
    }

    [Fact]
    public async Task CreateFor_TwoTickets_KeysFollowTheSequence()
    {
        var first = await InUnitAsync(db => Hook.CreateForAsync(db, DeployRequest("1"), As.Engineer("d@x.test")).OkAsync());
        var second = await InUnitAsync(db => Hook.CreateForAsync(db, DeployRequest("2"), As.Engineer("d@x.test")).OkAsync());

        Assert.Equal(("OPS-1", "OPS-2"), (first.Key, second.Key));
    }

    [Theory]
    [InlineData("bug", "P2", "deploy", "type")]
    [InlineData("deploy", "P5", "deploy", "priority")]
    [InlineData("deploy", "1", "deploy", "priority")]
    [InlineData("deploy", "P1", "spaceship", "subjectType")]
    public async Task CreateFor_BadRequest_IsRefusedByField(string type, string priority, string subjectType, string field)
    {
        var request = DeployRequest() with { Type = type, Priority = priority, SubjectType = subjectType };

        var refusal = await InUnitAsync(db => Hook.CreateForAsync(db, request, As.Engineer("d@x.test")).RefusedAsync(RefusalKind.Invalid));

        Assert.Contains(field, refusal.Errors.Keys);
    }

    [Fact]
    public async Task CreateFor_EmptyTitle_IsRefused()
    {
        var refusal = await InUnitAsync(db => Hook.CreateForAsync(db, DeployRequest() with { Title = "  " }, As.Engineer("d@x.test"))
            .RefusedAsync(RefusalKind.Invalid));

        Assert.Equal("A ticket needs a title.", refusal.Errors["title"]);
    }

    [Fact]
    public async Task Link_UnknownKey_IsRefusedAsNotFound()
    {
        var refusal = await InUnitAsync(db => Hook.LinkAsync(db, "OPS-99", "incident", "7", As.Engineer("d@x.test")).RefusedAsync(RefusalKind.NotFound));

        Assert.Equal("There is no ticket OPS-99.", refusal.Detail);
    }

    [Fact]
    public async Task Link_ExistingTicket_LinksOnceHoweverOftenCalled()
    {
        await InUnitAsync(db => Hook.CreateForAsync(db, DeployRequest(), As.Engineer("d@x.test")).OkAsync());

        var linked = await InUnitAsync(db => Hook.LinkAsync(db, "ops-1", "incident", "7", As.Engineer("oncall@x.test")).OkAsync());
        await InUnitAsync(db => Hook.LinkAsync(db, "OPS-1", "incident", "7", As.Engineer("oncall@x.test")).OkAsync());

        Assert.Equal("OPS-1", linked.Key);
        await using var db = Db.CreateContext();
        var links = await db.Set<TicketLink>().OrderBy(l => l.Id).Select(l => l.TargetType + ":" + l.TargetId).ToListAsync();
        Assert.Equal(["deploy:42", "incident:7"], links);
        Assert.Equal(2, await db.Events.CountAsync(e => e.Kind == TicketEventKinds.Linked));
    }

    [Fact]
    public async Task Link_TicketCreatedEarlierInSameUnitOfWork_IsFound()
    {
        await InUnitAsync(async db =>
        {
            var ticket = await Hook.CreateForAsync(db, DeployRequest(), As.Engineer("d@x.test")).OkAsync();
            return await Hook.LinkAsync(db, ticket.Key, "alert", "cpu-high", As.Engineer("d@x.test")).OkAsync();
        });

        await using var db = Db.CreateContext();
        Assert.Equal(2, await db.Set<TicketLink>().CountAsync());
    }

    [Fact]
    public async Task RecordOutcome_Success_ResolvesWithComment()
    {
        await InUnitAsync(db => Hook.CreateForAsync(db, DeployRequest(), As.Engineer("d@x.test")).OkAsync());

        await InUnitAsync(db => Hook.RecordOutcomeAsync(db, "OPS-1", true, "Deployed 1.4.2 in 41 s.", As.Engineer("d@x.test")).OkAsync());

        await using var db = Db.CreateContext();
        var ticket = await db.Set<Ticket>().Include(t => t.Comments).SingleAsync();
        Assert.Equal(TicketStatus.Resolved, ticket.Status);
        Assert.NotNull(ticket.ResolvedAt);
        Assert.Equal("Deployed 1.4.2 in 41 s.", Assert.Single(ticket.Comments).Body);
        Assert.Equal(2, ticket.RowVersion);
        var changed = await db.Events.SingleAsync(e => e.Kind == TicketEventKinds.StatusChanged);
        var record = TicketChangeRecord.FromEvent(changed)!;
        Assert.Equal([new FieldChange("status", "Open", "Resolved")], record.Changes);
        Assert.Equal(2, record.Version);
    }

    [Fact]
    public async Task RecordOutcome_FailureOnResolvedTicket_ReopensWithFlaggedComment()
    {
        await InUnitAsync(db => Hook.CreateForAsync(db, DeployRequest(), As.Engineer("d@x.test")).OkAsync());
        await InUnitAsync(db => Hook.RecordOutcomeAsync(db, "OPS-1", true, "", As.Engineer("d@x.test")).OkAsync());

        await InUnitAsync(db => Hook.RecordOutcomeAsync(db, "OPS-1", false, "Rollback of 1.4.2 failed: exit 3", As.Engineer("d@x.test")).OkAsync());

        await using var db = Db.CreateContext();
        var ticket = await db.Set<Ticket>().Include(t => t.Comments).SingleAsync();
        Assert.Equal(TicketStatus.Open, ticket.Status);
        Assert.Null(ticket.ResolvedAt);
        Assert.Equal("**Failed:** Rollback of 1.4.2 failed: exit 3", Assert.Single(ticket.Comments).Body);
    }

    [Fact]
    public async Task RecordOutcome_FailureOnOpenTicket_CommentsAndLeavesStatus()
    {
        await InUnitAsync(db => Hook.CreateForAsync(db, DeployRequest(), As.Engineer("d@x.test")).OkAsync());

        await InUnitAsync(db => Hook.RecordOutcomeAsync(db, "OPS-1", false, "exit 1", As.Engineer("d@x.test")).OkAsync());

        await using var db = Db.CreateContext();
        var ticket = await db.Set<Ticket>().SingleAsync();
        Assert.Equal((TicketStatus.Open, 1), (ticket.Status, ticket.RowVersion));
        Assert.Equal(1, await db.Events.CountAsync(e => e.Kind == TicketEventKinds.Commented));
    }

    [Fact]
    public async Task RecordOutcome_TicketChangedConcurrently_SecondSaveFailsInsteadOfOverwriting()
    {
        await InUnitAsync(db => Hook.CreateForAsync(db, DeployRequest(), As.Engineer("d@x.test")).OkAsync());
        await using var first = Db.CreateContext();
        await using var second = Db.CreateContext();
        await Hook.RecordOutcomeAsync(first, "OPS-1", true, "done", As.Engineer("a@x.test")).OkAsync();
        await Hook.RecordOutcomeAsync(second, "OPS-1", true, "done too", As.Engineer("b@x.test")).OkAsync();

        await first.SaveChangesAsync();

        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());
        await using var db = Db.CreateContext();
        Assert.Equal(["done"], await db.Set<TicketComment>().Select(c => c.Body).ToListAsync());
    }
}

public sealed class TicketHookPrefixTests : TicketTestNode
{
    protected override Dictionary<string, string?> Settings => new() { ["OpsPortal:Tickets:KeyPrefix"] = "INFRA" };

    [Fact]
    public async Task CreateFor_ConfiguredPrefix_IsUsedInTheKey()
    {
        var ticket = await InUnitAsync(db => Hook.CreateForAsync(db, DeployRequest(), As.Engineer("d@x.test")).OkAsync());

        Assert.Equal("INFRA-1", ticket.Key);
    }
}
