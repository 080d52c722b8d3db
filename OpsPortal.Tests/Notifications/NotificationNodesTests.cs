using Npgsql;
using OpsPortal.Core;
using OpsPortal.Core.Notifications;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Notifications;

/// <summary>Two app nodes on one database, and a database outage in the middle of a send.</summary>
public sealed class NotificationNodesTests : NotificationTestBase
{
    protected override bool BypassPgbouncer => true;

    [Fact]
    public async Task Deliver_TwoNodes_EachDeliverySentExactlyOnce()
    {
        await using var hook = await WebhookReceiver.StartAsync();
        var channel = await CreateChannelAsync(new { name = "shared", kind = "webhook", webhookUrl = hook.Url() });
        await RouteAsync("", channel.Id);
        await using var second = new OpsPortalFactory(Database, settings: NodeSettings);
        await second.StartAsync();
        var nodes = new[] { Factory, second }.Select(f => f.Services.GetRequiredService<NotificationDeliveryWorker>().Node).ToList();
        Assert.NotEqual(nodes[0], nodes[1]);

        var ids = new List<long>();
        for (var i = 0; i < 40; i++)
        {
            ids.AddRange(await EnqueueAsync(Message(subjectId: $"m{i}")));
        }

        var posts = await hook.WaitForAsync(ids.Count, timeout: TimeSpan.FromSeconds(60), settle: TimeSpan.FromSeconds(3));
        var delivered = posts.Select(p => long.Parse(p.Headers["X-OpsPortal-Delivery"], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(ids.Order(), delivered.Order());
        foreach (var id in ids)
        {
            var detail = await FinishedAsync(id);
            Assert.Equal(("sent", 1), (detail.Delivery.Status, detail.Delivery.Attempts));
            Assert.Contains(Assert.Single(detail.Attempts).Node, nodes);
        }
    }

    [Fact]
    public async Task Deliver_DatabaseGoesAwayAfterTheSend_OutcomeRecordedLater_NeverSentTwice_LoopRecovers()
    {
        await using var hook = await WebhookReceiver.StartAsync();
        var channel = await CreateChannelAsync(new { name = "during-outage", kind = "webhook", webhookUrl = hook.Url() });
        await RouteAsync("", channel.Id);
        var cut = 0;
        // The receiver accepts the message, but before it answers the database goes away: the worker cannot record "sent".
        hook.BeforeAnswer = async () =>
        {
            if (Interlocked.Exchange(ref cut, 1) == 0)
            {
                await SetConnectionsAllowedAsync(false);
            }
        };

        var id = (await EnqueueAsync(Message())).Single();

        var health = Factory.Services.GetRequiredService<BackgroundHealth>();
        await WaitUntilAsync(() => health.Get("notifications.delivery")?.Failures > 0, TimeSpan.FromSeconds(20));
        await Task.Delay(TimeSpan.FromSeconds(3)); // a few failed rounds while the database is away
        await SetConnectionsAllowedAsync(true);

        var detail = await FinishedAsync(id, TimeSpan.FromSeconds(60));
        Assert.Equal(("sent", 1), (detail.Delivery.Status, detail.Delivery.Attempts));
        Assert.Single(await hook.WaitForAsync(1, settle: TimeSpan.FromSeconds(2)));
        await WaitUntilAsync(() => health.Get("notifications.delivery")?.Error is null, TimeSpan.FromSeconds(20));

        // The loop is alive: a new message goes out too. (The test's own idle pooled connection was terminated
        // with the others; the app has already shown it recovers, so the test starts with fresh connections.)
        NpgsqlConnection.ClearAllPools();
        var next = (await EnqueueAsync(Message(subjectId: "8"))).Single();
        Assert.Equal("sent", (await FinishedAsync(next)).Delivery.Status);
        Assert.Equal(2, hook.Received.Count);
    }

    private async Task SetConnectionsAllowedAsync(bool allowed)
    {
        var admin = new NpgsqlConnectionStringBuilder(TestDatabase.ServerConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var conn = new NpgsqlConnection(admin);
        await conn.OpenAsync();
#pragma warning disable CA2100 // the generated test database name, never input
        await using (var alter = new NpgsqlCommand($"ALTER DATABASE \"{Database.Name}\" ALLOW_CONNECTIONS {(allowed ? "true" : "false")}", conn))
#pragma warning restore CA2100
        {
            await alter.ExecuteNonQueryAsync();
        }
        if (!allowed)
        {
            await using var kill = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", conn);
            kill.Parameters.AddWithValue(Database.Name);
            await kill.ExecuteNonQueryAsync();
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold in time.");
            await Task.Delay(100);
        }
    }
}
