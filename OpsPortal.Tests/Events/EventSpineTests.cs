using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Events;

/// <summary>The spine's promises: events commit with their change, and every listening process hears them.</summary>
public sealed class EventSpineTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private ServiceProvider _listenerNode = null!;
    private readonly Channel<OpsEvent> _received = Channel.CreateUnbounded<OpsEvent>();

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        // A second "node": its own data source, listener and notifier on the same database.
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOpsData(_db.ConnectionString);
        _listenerNode = services.BuildServiceProvider();
        _listenerNode.GetRequiredService<EventNotifier>().Subscribe(ev => _received.Writer.WriteAsync(ev).AsTask());
        var listener = _listenerNode.GetRequiredService<EventListener>();
        await ((IHostedService)listener).StartAsync(CancellationToken.None);
        await listener.Listening.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async Task DisposeAsync()
    {
        await ((IHostedService)_listenerNode.GetRequiredService<EventListener>()).StopAsync(CancellationToken.None);
        await _listenerNode.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Append_Saved_IsStoredAndHeardByOtherNode()
    {
        await using var db = _db.CreateContext();
        var ev = new EventLog(TimeProvider.System).Append(db, "alice@x", "test.happened", "thing", "42", "alice did a thing",
            service: "web", payload: new { answer = 42 });
        await db.SaveChangesAsync();

        var heard = await _received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(ev.Id, heard.Id);
        Assert.Equal("alice did a thing", heard.Summary);
        Assert.Equal("web", heard.Service);
        Assert.Equal(42, heard.Payload!.RootElement.GetProperty("answer").GetInt32());
    }

    [Fact]
    public async Task Append_TransactionRolledBack_NothingStoredNothingHeard()
    {
        await using (var db = _db.CreateContext())
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            new EventLog(TimeProvider.System).Append(db, "bob@x", "test.rolled_back", "thing", "1", "never happened");
            await db.SaveChangesAsync();
            await tx.RollbackAsync();
        }
        await using (var db = _db.CreateContext())
        {
            // A committed marker after the rollback: once it is heard, the rolled-back one would have been too.
            new EventLog(TimeProvider.System).Append(db, "bob@x", "test.marker", "thing", "2", "marker");
            await db.SaveChangesAsync();
        }

        var first = await _received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("test.marker", first.Kind);
        await using var check = _db.CreateContext();
        Assert.False(await check.Events.AnyAsync(e => e.Kind == "test.rolled_back"));
    }

    [Fact]
    public async Task Append_InsideCallersTransaction_HeardOnlyAfterCommit()
    {
        await using var db = _db.CreateContext();
        await using var tx = await db.Database.BeginTransactionAsync();
        new EventLog(TimeProvider.System).Append(db, "carol@x", "test.pending", "thing", "3", "pending");
        await db.SaveChangesAsync();

        await Task.Delay(300);
        Assert.False(_received.Reader.TryRead(out _));

        await tx.CommitAsync();
        var heard = await _received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("test.pending", heard.Kind);
    }

    [Fact]
    public async Task CreateUser_WritesUserCreatedEventInSameTransaction()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOpsData(_db.ConnectionString);
        services.AddOpsAuthServices();
        services.AddOpsIdentityCore();
        await using var sp = services.BuildServiceProvider();
        await using var scope = sp.CreateAsyncScope();
        var admin = scope.ServiceProvider.GetRequiredService<UserAdminService>();

        var ok = await admin.CreateAsync(As.Admin("root@x"), "dave@x.test", "Dave-password-1", Roles.Engineer);
        var bad = await admin.CreateAsync(As.Admin("root@x"), "dave@x.test", "Dave-password-1", Roles.Engineer);

        Assert.True(ok.Succeeded);
        Assert.False(bad.Succeeded);
        var heard = await _received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(AuthEventKinds.UserCreated, heard.Kind);
        Assert.Equal(ok.Value, heard.SubjectId);
        await using var check = _db.CreateContext();
        Assert.Equal(1, await check.Events.CountAsync(e => e.Kind == AuthEventKinds.UserCreated));
    }

    [Fact]
    public async Task Feed_ReturnsNewestFirst()
    {
        await using (var db = _db.CreateContext())
        {
            var log = new EventLog(TimeProvider.System);
            for (var i = 0; i < 5; i++)
            {
                log.Append(db, "x", "test.n", "n", i.ToString(System.Globalization.CultureInfo.InvariantCulture), $"n{i}");
                await db.SaveChangesAsync();
            }
        }
        var feed = _listenerNode.GetRequiredService<IServiceScopeFactory>().CreateScope().ServiceProvider.GetRequiredService<EventFeed>();

        var recent = await feed.RecentAsync(3);

        Assert.Equal(["n4", "n3", "n2"], recent.Select(e => e.Summary));
    }

    [Theory]
    [InlineData("1,2,3", new long[] { 1, 2, 3 })]
    [InlineData("7", new long[] { 7 })]
    [InlineData("x,5,,-2", new long[] { 5 })]
    [InlineData("", new long[0])]
    public void ParseIds_IgnoresJunk(string payload, long[] expected) =>
        Assert.Equal(expected, EventListener.ParseIds(payload));
}
