using System.Net;
using System.Net.Http.Json;
using OpsPortal.Core.Auth;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Tickets;

/// <summary>The ticket pages as the server renders them (prerender), per role: what is shown is what may be done.</summary>
public sealed class TicketPagesTests : ApiTestBase
{
    private const string Hostile = "<script>alert('x')</script><img src=x onerror=alert(1)>";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await CreateUserAsync("viewer@test.local", AdminPassword, Roles.Viewer);
        using var admin = await ClientForAsync(AdminEmail, AdminPassword);
        var created = await admin.PostAsJsonAsync("/api/tickets", new { title = Hostile, description = "Steps:\n\n" + Hostile, priority = "P1" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/tickets/OPS-1/comments", new { body = "Comment " + Hostile })).StatusCode);
    }

    [Fact]
    public async Task TicketPage_HostileTitleDescriptionAndComment_RenderAsText()
    {
        using var admin = await ClientForAsync(AdminEmail, AdminPassword);

        var html = await admin.GetStringAsync("/tickets/OPS-1");

        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=\"x\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("onerror=alert(1)>", html.Replace("&lt;img src=x onerror=alert(1)&gt;", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"ticket-comment\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TicketPage_Engineer_SeesWorkflowButtonsAndCommentBox()
    {
        using var admin = await ClientForAsync(AdminEmail, AdminPassword);

        var html = await admin.GetStringAsync("/tickets/OPS-1");

        Assert.Contains("data-testid=\"status-in_progress\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"status-resolved\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"status-closed\"", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"comment-input\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TicketPage_Viewer_ReadsWithoutAnyWriteControl()
    {
        using var viewer = await ClientForAsync("viewer@test.local", AdminPassword);

        var html = await viewer.GetStringAsync("/tickets/OPS-1");

        Assert.Contains("data-testid=\"ticket-page\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"status-", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"comment-input\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"quick-create\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"title-edit\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TicketsList_SavedFilterQuery_ShowsMatchingRowsOnly()
    {
        using var admin = await ClientForAsync(AdminEmail, AdminPassword);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/tickets", new { title = "Low one", priority = "P4" })).StatusCode);

        var html = await admin.GetStringAsync("/tickets?status=active&priority=P1&assignee=none");

        Assert.Contains("data-key=\"OPS-1\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-key=\"OPS-2\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TicketPage_UnknownKey_ShowsNotFound()
    {
        using var admin = await ClientForAsync(AdminEmail, AdminPassword);

        var html = await admin.GetStringAsync("/tickets/OPS-999");

        Assert.Contains("Page not found", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"ticket-page\"", html, StringComparison.Ordinal);
    }
}
