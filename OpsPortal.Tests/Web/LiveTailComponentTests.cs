using System.Net;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Npgsql;
using OpsPortal.Core.Logs.Ingest;
using OpsPortal.Core.Logs.LiveTail;
using OpsPortal.Core.Logs.Parsing;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Common;
using OpsPortal.Web.Features.Logs.LiveTail;

namespace OpsPortal.Tests.Web;

/// <summary>The Live component against a real reader: rows arrive through its channel and render loop.</summary>
public sealed class LiveTailComponentTests : IAsyncLifetime
{
    private readonly BunitContext _ctx = new();
    private TestDatabase _db = null!;
    private NpgsqlDataSource _dataSource = null!;
    private AccessTailReader _reader = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _dataSource = NpgsqlDataSource.Create(_db.ConnectionString);
        _reader = new AccessTailReader(_dataSource, Microsoft.Extensions.Logging.Abstractions.NullLogger<AccessTailReader>.Instance);
        await _reader.StartAsync(default);
        await _reader.Listening;
        _ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        _ctx.Services.AddMudServices();
        _ctx.Services.AddSingleton(_reader);
        _ctx.Services.AddSingleton(TimeProvider.System);
        _ctx.Services.AddScoped<CircuitPresence>();
        _ctx.Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    public async Task DisposeAsync()
    {
        await _ctx.DisposeAsync();
        await _reader.StopAsync(default);
        _reader.Dispose();
        await _dataSource.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task LiveTail_MoreLinesThanItShows_ShowsTheNewestAndSaysHowManyWereSkipped()
    {
        var tail = _ctx.Render<LiveTail>(p => p.Add(c => c.Query, "status:5xx"));
        tail.WaitForAssertion(() => Assert.NotNull(tail.Find("[data-testid=live-tail][data-subscribed=true]")));
        var start = DateTime.UtcNow.AddMinutes(-1);
        var rows = Enumerable.Range(0, 2_400).Select(i => new AccessRecord
        {
            Ip = IPAddress.Loopback,
            Date = start.AddMilliseconds(i),
            Method = "GET",
            Path = $"/c/{i}",
            Status = i % 2 == 0 ? 503 : 200,
            Size = 1,
        }).ToList();

        await new AccessWriter(_dataSource, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new OpsPortal.Core.Logs.LogsOptions())).WriteAsync(1, rows, rows.Count, [], null, default);
        tail.WaitForAssertion(() => Assert.Contains("1,200 new lines", tail.Find("[data-testid=live-status]").TextContent, StringComparison.Ordinal),
            TimeSpan.FromSeconds(10));
        await new AccessWriter(_dataSource, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new OpsPortal.Core.Logs.LogsOptions())).WriteAsync(1, rows[..2], 2, [], null, default);

        tail.WaitForAssertion(() =>
        {
            Assert.Equal(LiveTailBuffer.DefaultCapacity, tail.FindAll("[data-testid=log-row]").Count);
            // 200 the reader did not send (it sends the newest 1,000 of a read), 800 that the screen's 200 rows had no room for.
            Assert.Contains("1,000 lines skipped", tail.Find("[data-testid=live-skipped]").TextContent, StringComparison.Ordinal);
            Assert.Contains("/c/0", tail.FindAll("[data-testid=log-row]")[0].TextContent, StringComparison.Ordinal);
            Assert.Contains("/c/2398", tail.FindAll("[data-testid=log-row]")[1].TextContent, StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task LiveTail_QueryChanged_FollowsTheNewQueryOnly()
    {
        var tail = _ctx.Render<LiveTail>(p => p.Add(c => c.Query, "path:/a/*"));
        tail.WaitForAssertion(() => Assert.NotNull(tail.Find("[data-testid=live-tail][data-subscribed=true]")));

        tail.Render(p => p.Add(c => c.Query, "path:/b/*"));
        await new AccessWriter(_dataSource, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new OpsPortal.Core.Logs.LogsOptions())).WriteAsync(1,
            [Record("/a/1"), Record("/b/1")], 2, [], null, default);

        tail.WaitForAssertion(() => Assert.Contains("/b/1", Assert.Single(tail.FindAll("[data-testid=log-row]")).TextContent, StringComparison.Ordinal),
            TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task LiveTail_BrowserDisconnected_StopsFollowingUntilItReconnects()
    {
        var presence = _ctx.Services.GetRequiredService<CircuitPresence>();
        var tail = _ctx.Render<LiveTail>(p => p.Add(c => c.Query, "path:/p/*"));
        tail.WaitForAssertion(() => Assert.NotNull(tail.Find("[data-testid=live-tail][data-subscribed=true]")));

        await presence.OnConnectionDownAsync(null!, default);
        tail.WaitForAssertion(() => Assert.NotNull(tail.Find("[data-testid=live-tail][data-subscribed=false]")));
        var delivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (_reader.Subscribe("path:/p/*", _ => delivered.TrySetResult()))
        {
            await Writer().WriteAsync(1, [Record("/p/while-away")], 1, [], null, default);
            await delivered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        await presence.OnConnectionUpAsync(null!, default);
        tail.WaitForAssertion(() => Assert.NotNull(tail.Find("[data-testid=live-tail][data-subscribed=true]")));
        await Writer().WriteAsync(1, [Record("/p/back")], 1, [], null, default);

        // The reader delivers in commit order: had the tail still followed while away, that line would be here too.
        tail.WaitForAssertion(() => Assert.Contains("/p/back", Assert.Single(tail.FindAll("[data-testid=log-row]")).TextContent,
            StringComparison.Ordinal), TimeSpan.FromSeconds(10));
    }

    private AccessWriter Writer() =>
        new(_dataSource, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new OpsPortal.Core.Logs.LogsOptions()));

    private static AccessRecord Record(string path) =>
        new() { Ip = IPAddress.Loopback, Date = DateTime.UtcNow, Method = "GET", Path = path, Status = 200, Size = 1 };
}
