using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Incidents;
using OpsPortal.Core.Subscriptions;
using OpsPortal.Core.Tickets;
using OpsPortal.Core.Wiki;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Tests.Notifications;

namespace OpsPortal.Tests.OnCall;

/// <summary>
/// Subscriptions on a real database and a real SMTP server: comments on a ticket reach its watchers as one digest
/// each (not one mail per comment, not twice with two nodes), a mention reaches the person named, the author hears
/// nothing of their own comment, and quiet hours hold a digest but never a page.
/// </summary>
public sealed class DigestTests : NotificationTestBase
{
    private readonly FixedClock _clock = new(new DateTimeOffset(DateTime.UtcNow.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero));
    private readonly string _ann = SmtpTestServer.NewRecipient("ann");
    private readonly string _bob = SmtpTestServer.NewRecipient("bob");
    private readonly string _carol = SmtpTestServer.NewRecipient("carol");
    private readonly string _dan = SmtpTestServer.NewRecipient("dan");

    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string>(NodeSettings)
    {
        ["OpsPortal:OnCall:RunEscalator"] = "false",
        // The rounds are run by hand below, as two nodes would.
        ["OpsPortal:OnCall:RunSubscriptions"] = "false",
    };

    protected override void ConfigureHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(_clock));

    private SubscriptionFanout Fanout() => ActivatorUtilities.CreateInstance<SubscriptionFanout>(Factory.Services);

    private DigestSender Sender() => ActivatorUtilities.CreateInstance<DigestSender>(Factory.Services);

    /// <summary>Both steps on two nodes at once, the digest delay having passed.</summary>
    private async Task<int> RoundAsync()
    {
        await Task.WhenAll(Fanout().FanOutAsync(CancellationToken.None), Fanout().FanOutAsync(CancellationToken.None));
        _clock.Now = _clock.Now.AddSeconds(31);
        var sent = await Task.WhenAll(Sender().SendDueAsync(CancellationToken.None), Sender().SendDueAsync(CancellationToken.None));
        return sent.Sum();
    }

    private async Task SetUpAsync()
    {
        foreach (var person in new[] { _ann, _bob, _carol, _dan })
        {
            await CreateUserAsync(person, "Person-password-1", Roles.Engineer);
        }
        var channel = await Api.PostAsJsonAsync("/api/notification-channels", new
        {
            name = "mail",
            kind = "email",
            smtpHost = SmtpTestServer.Host,
            smtpPort = SmtpTestServer.Port,
            smtpTls = "starttls",
            smtpUsername = SmtpTestServer.User,
            smtpPassword = SmtpTestServer.Password,
            skipCertificateCheck = true,
            emailFrom = "opsportal@test.local",
            emailTo = new[] { "team@test.local" },
            personalMail = true,
        });
        Assert.Equal(HttpStatusCode.Created, channel.StatusCode);
        // The first round starts the cursor at the newest event: what happened before is nobody's digest.
        await Fanout().FanOutAsync(CancellationToken.None);
    }

    [Fact]
    public async Task TicketComments_WatchersGetOneDigest_MentionReachesPerson_AuthorNothing_AcrossTwoNodes()
    {
        await SetUpAsync();
        var tickets = Factory.Services.GetRequiredService<TicketService>();
        var ticket = await tickets.CreateAsync(new NewTicket("Disk full on db-2"), new Actor(_ann, Roles.Engineer));
        Assert.True(ticket.Succeeded, ticket.Refusal?.Message);
        var key = ticket.Value.Key;
        Assert.True((await tickets.SetWatchingAsync(key, new Actor(_bob, Roles.Engineer), true)).Succeeded);
        var carol = await ClientForAsync(_carol, "Person-password-1");
        var dan = _dan.Split('@')[0];
        foreach (var body in new[] { "Looking at it now.", $"Freed 40 GB; @{dan} please check the backup job. Not a mention: `@{dan}`." })
        {
            var posted = await carol.PostAsJsonAsync($"/api/tickets/{key}/comments", new { body });
            Assert.True(posted.IsSuccessStatusCode, await posted.Content.ReadAsStringAsync());
        }

        Assert.Equal(3, await RoundAsync());

        var annMail = Assert.Single(await SmtpTestServer.WaitForMailAsync(_ann, 1));
        Assert.Contains("2 updates", annMail.Subject, StringComparison.Ordinal);
        Assert.Contains("Looking at it now.", annMail.Text, StringComparison.Ordinal);
        Assert.Contains("Freed 40 GB", annMail.Text, StringComparison.Ordinal);
        Assert.Contains(PublicUrl + "/tickets/" + key, annMail.Text, StringComparison.Ordinal);
        Assert.Single(await SmtpTestServer.WaitForMailAsync(_bob, 1));
        var danMail = Assert.Single(await SmtpTestServer.WaitForMailAsync(_dan, 1));
        Assert.Contains("You were mentioned", danMail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Looking at it now.", danMail.Text, StringComparison.Ordinal);
        Assert.Empty(await SmtpTestServer.MailsToAsync(_carol));

        // Nothing new: another round sends nothing, and nobody gets a second mail.
        Assert.Equal(0, await RoundAsync());
        Assert.Single(await SmtpTestServer.WaitForMailAsync(_ann, 2, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task WikiAndIncidentNoteMentions_ReachThePersonNamed_OnlyNewNamesOnEdit_AcrossTwoNodes()
    {
        await SetUpAsync();
        var (ann, bob, dan) = (_ann.Split('@')[0], _bob.Split('@')[0], _dan.Split('@')[0]);
        var carol = new Actor(_carol, Roles.Engineer);
        var wiki = Factory.Services.GetRequiredService<WikiService>();
        var slug = "mentions-" + Guid.NewGuid().ToString("N")[..8];
        var created = await wiki.SaveAsync(carol, slug, new WikiSaveRequest("Failover", $"Ask @{bob} before failing over.", null, null));
        Assert.True(created.Succeeded, created.Refusal?.Message);
        // The edit keeps bob's mention and adds dan's: only dan is newly mentioned.
        var edited = await wiki.SaveAsync(carol, slug, new WikiSaveRequest("Failover", $"Ask @{bob} before failing over.\n\n@{dan} owns the DNS step.",
            created.Value.Page.Revision, null));
        Assert.True(edited.Succeeded, edited.Refusal?.Message);
        var service = await Api.PutAsJsonAsync("/api/services/replicas", new { description = "replicas", owners = new[] { "team:db" } });
        Assert.True(service.IsSuccessStatusCode, await service.Content.ReadAsStringAsync());
        var incidents = Factory.Services.GetRequiredService<IncidentService>();
        var incident = await incidents.DeclareAsync(new DeclareIncident { Title = "Replica lag", Severity = "SEV3", Services = ["replicas"] }, carol);
        Assert.True(incident.Succeeded, incident.Refusal?.Message);
        var note = await incidents.AddNoteAsync(incident.Value.Id, $"@{ann} can you take the replica? (`@{bob}` is code, not a mention)", null, carol);
        Assert.True(note.Succeeded, note.Refusal?.Message);

        await Task.WhenAll(Fanout().FanOutAsync(CancellationToken.None), Fanout().FanOutAsync(CancellationToken.None));

        await using (var db = Database.CreateContext())
        {
            var mentioned = await db.Set<DigestItem>().AsNoTracking().Where(i => i.Reason == "mentioned").OrderBy(i => i.UserEmail).ToListAsync();
            Assert.Equal(3, mentioned.Count);
            Assert.Equal("/incidents/" + incident.Value.Id, Assert.Single(mentioned, i => i.UserEmail == _ann).Link);
            Assert.Equal("/wiki/" + slug, Assert.Single(mentioned, i => i.UserEmail == _bob).Link);
            Assert.Equal("/wiki/" + slug, Assert.Single(mentioned, i => i.UserEmail == _dan).Link);
            Assert.False(await db.Set<DigestItem>().AnyAsync(i => i.UserEmail == _carol));
        }
        _clock.Now = _clock.Now.AddSeconds(31);
        Assert.Equal(3, await Sender().SendDueAsync(CancellationToken.None));
        var annMail = Assert.Single(await SmtpTestServer.WaitForMailAsync(_ann, 1));
        Assert.Contains("You were mentioned", annMail.Text, StringComparison.Ordinal);
        Assert.Contains(PublicUrl + "/incidents/" + incident.Value.Id, annMail.Text, StringComparison.Ordinal);
        Assert.Contains(PublicUrl + "/wiki/" + slug, Assert.Single(await SmtpTestServer.WaitForMailAsync(_dan, 1)).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QuietHours_HoldDigestUntilTheyEnd_PageStillSent()
    {
        await SetUpAsync();
        var ann = await ClientForAsync(_ann, "Person-password-1");
        var hour = _clock.Now.UtcDateTime;
        var quiet = await ann.PutAsJsonAsync("/api/me/notifications", new
        {
            timeZone = "UTC",
            quietFrom = hour.AddHours(-1).ToString("HH:mm"),
            quietTo = hour.AddHours(2).ToString("HH:mm"),
        });
        Assert.True(quiet.IsSuccessStatusCode, await quiet.Content.ReadAsStringAsync());
        var tickets = Factory.Services.GetRequiredService<TicketService>();
        var key = (await tickets.CreateAsync(new NewTicket("Cert expires Friday"), new Actor(_ann, Roles.Engineer))).Value.Key;
        Assert.True((await tickets.AddCommentAsync(key, "Renewal ordered.", new Actor(_carol, Roles.Engineer))).Succeeded);

        Assert.Equal(0, await RoundAsync());

        // A page is not a digest: it reaches her in her quiet hours.
        var policy = await Api.PostAsJsonAsync("/api/escalation-policies", new
        {
            name = "quiet-test",
            levels = new[] { new { timeoutMinutes = 5, targets = new[] { new { kind = "person", person = _ann } } } },
        });
        Assert.True(policy.IsSuccessStatusCode, await policy.Content.ReadAsStringAsync());
        var service = await Api.PutAsJsonAsync("/api/services/quiet", new { description = "quiet", owners = new[] { "team:x" }, escalationPolicy = "quiet-test" });
        Assert.True(service.IsSuccessStatusCode, await service.Content.ReadAsStringAsync());
        var declared = await Api.PostAsJsonAsync("/api/incidents", new { title = "Quiet night broken", severity = "SEV1", services = new[] { "quiet" } });
        Assert.Equal(HttpStatusCode.Created, declared.StatusCode);
        var page = Assert.Single(await SmtpTestServer.WaitForMailAsync(_ann, 1));
        Assert.Contains("[PAGE]", page.Subject, StringComparison.Ordinal);
        await using (var db = Database.CreateContext())
        {
            Assert.Equal(1, await db.Set<DigestItem>().CountAsync(i => i.UserEmail == _ann && i.SentAt == null));
        }

        // The quiet hours end: the held digest goes out.
        _clock.Now = _clock.Now.AddHours(2).AddMinutes(1);
        Assert.Equal(1, await Sender().SendDueAsync(CancellationToken.None));
        var mails = await SmtpTestServer.WaitForMailAsync(_ann, 2);
        Assert.Equal(2, mails.Count);
        Assert.Contains(mails, m => m.Text?.Contains("Renewal ordered.", StringComparison.Ordinal) == true);
    }
}
