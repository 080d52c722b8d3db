using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Alerts;
using OpsPortal.Core.Auth;
using OpsPortal.Core.OnCall.Paging;
using OpsPortal.Tests.Alerts;

namespace OpsPortal.Tests.OnCall;

/// <summary>An alert rule that fires pages its service's policy; acknowledging the alert ends the page; recovery closes it.</summary>
public sealed class AlertPagingTests : AlertTestBase
{
    [Fact]
    public async Task AlertGoesHardCritical_PagesOnCall_AlertAckAcknowledgesPage_RecoveryResolves()
    {
        const string host = "page.alerts.test";
        for (var m = 0; m < 12; m++)
        {
            await IngestAsync(host, m, ok: m is >= 5 and <= 8 ? 10 : 20, errors: m is >= 5 and <= 8 ? 10 : 0);
        }
        await CreateUserAsync("ann@test.local", "Ann-password-1", Roles.Engineer);
        var policy = await Client.PostAsJsonAsync("/api/escalation-policies", new
        {
            name = "default",
            isDefault = true,
            levels = new[] { new { timeoutMinutes = 1, targets = new[] { new { kind = "person", person = "ann@test.local" } } } },
        });
        Assert.True(policy.StatusCode == HttpStatusCode.Created, await policy.Content.ReadAsStringAsync());
        var rule = await CreateRatioRuleAsync(host, "Page 5xx");

        await RoundAtAsync(3);
        await using (var db = Database.CreateContext())
        {
            Assert.False(await db.Set<Page>().AnyAsync());
        }
        await RoundAtAsync(6);
        var firing = await InstanceAsync(rule);
        Page page;
        await using (var db = Database.CreateContext())
        {
            page = await db.Set<Page>().AsNoTracking().SingleAsync();
            var sent = await db.Set<PageNotification>().AsNoTracking().SingleAsync(n => n.Destination.StartsWith("email"));
            Assert.Equal(("alert", firing.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "ann@test.local"), (page.SubjectType, page.SubjectId, sent.Person));
            Assert.Equal(("alert", rule.ToString(System.Globalization.CultureInfo.InvariantCulture)), (page.EventSubjectType, page.EventSubjectId));
        }
        await RoundAtAsync(7); // still firing: no second page
        var ack = await Client.PostAsJsonAsync($"/api/alerts/{firing.Id}/ack", new { comment = "on it" });
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        await using (var db = Database.CreateContext())
        {
            var acked = await db.Set<Page>().AsNoTracking().SingleAsync();
            Assert.Equal((PageStatus.Acknowledged, "alert"), (acked.Status, acked.AcknowledgedVia));
        }
        await RoundAtAsync(10);
        Assert.Equal(AlertState.Ok, (await InstanceAsync(rule)).HardState);
        await using (var db = Database.CreateContext())
        {
            Assert.Equal(PageStatus.Resolved, (await db.Set<Page>().AsNoTracking().SingleAsync()).Status);
        }
    }
}
