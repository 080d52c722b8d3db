using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;
using OpsPortal.Core.Tickets;

namespace OpsPortal.Tests.Deploys;

/// <summary>"Ticket, or it didn't happen", through the tickets feature's hook.</summary>
public sealed class DeployTicketTests : DeployTestBase
{
    [Fact]
    public async Task RequiredTicket_NoneGiven_DeployTicketCreatedLinkedAndResolvedOnSuccess()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var id = await IdOf(await PostDeployAsync(client, "audited", "3.1"));
        var deploy = await WaitFinishedAsync(client, id);

        var key = deploy.GetProperty("deploy").GetProperty("ticket").GetString();
        Assert.NotNull(key);
        Assert.Contains($"ticket={key} id={id}", Output(deploy), StringComparison.Ordinal);
        var ticket = await LoadAsync(key);
        Assert.Equal(TicketType.Deploy, ticket.Type);
        Assert.Equal("Deploy web 3.1 to audited", ticket.Title);
        Assert.Contains(ticket.Links, l => l.TargetType == TicketLinkTargets.Deploy && l.TargetId == id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(TicketStatus.Resolved, ticket.Status);
        Assert.Contains(ticket.Comments, c => c.Body.Contains("succeeded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GivenTicket_FailedDeploy_TicketFlaggedAndOpen()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var first = await WaitFinishedAsync(client, await IdOf(await PostDeployAsync(client, "audited", "3.1")));
        var key = first.GetProperty("deploy").GetProperty("ticket").GetString()!;

        var id = await IdOf(await PostDeployAsync(client, "staging", "3.2-bad", key));
        var deploy = await WaitFinishedAsync(client, id);

        Assert.Equal(key, deploy.GetProperty("deploy").GetProperty("ticket").GetString());
        var ticket = await LoadAsync(key);
        Assert.True(ticket.IsOpen);
        Assert.Contains(ticket.Comments, c => c.Body.StartsWith("**Failed:**", StringComparison.Ordinal) && c.Body.Contains("exit code 3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnknownTicket_400_NothingRuns()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var response = await PostDeployAsync(client, "staging", "1.0", "OPS-999");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("There is no ticket OPS-999", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var list = JsonDocument.Parse(await client.GetStringAsync("/api/deploys"));
        Assert.Empty(list.RootElement.GetProperty("deploys").EnumerateArray());
        Assert.Equal(0, Deploys.RunCount);
    }

    private async Task<Ticket> LoadAsync(string? key)
    {
        await using var db = await Factory.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync();
        return await db.Set<Ticket>().Include(t => t.Links).Include(t => t.Comments).SingleAsync(t => t.Key == key);
    }
}
