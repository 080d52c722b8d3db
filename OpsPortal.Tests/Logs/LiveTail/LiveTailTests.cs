using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OpsPortal.Core.Data;
using OpsPortal.Core.Logs.Ingest;
using OpsPortal.Core.Logs.LiveTail;
using OpsPortal.Core.Logs.Parsing;
using OpsPortal.Core.Logs.Search;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Logs.LiveTail;

/// <summary>
/// Rows written through one node's <see cref="AccessWriter"/> reach tails on another node's
/// <see cref="AccessTailReader"/> (its own data source and LISTEN connection on the same database).
/// </summary>
public sealed class LiveTailTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private NpgsqlDataSource _writerNode = null!;
    private NpgsqlDataSource _readerNode = null!;
    private AccessTailReader _reader = null!;
    private readonly FirstChanceExceptions _readerExceptions = new();

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _writerNode = NpgsqlDataSource.Create(_db.ConnectionString);
        _readerNode = NpgsqlDataSource.Create(_db.ConnectionString);
        _reader = new AccessTailReader(_readerNode, NullLogger<AccessTailReader>.Instance);
        await _readerExceptions.WatchAsync(() => _reader.StartAsync(default));
        await _reader.Listening.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async Task DisposeAsync()
    {
        await _reader.StopAsync(default);
        _reader.Dispose();
        _readerExceptions.Dispose();
        await _writerNode.DisposeAsync();
        await _readerNode.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task ConcurrentBatchesOnAnotherNode_ReachEachTailFiltered_NoneMissedNoneDuplicated()
    {
        var errors = new ConcurrentBag<LogRow>();
        var all = new ConcurrentBag<LogRow>();
        using var errorTail = _reader.Subscribe("status:5xx", b => { foreach (var r in b.Rows) { errors.Add(r); } });
        using var allTail = _reader.Subscribe("", b => { foreach (var r in b.Rows) { all.Add(r); } });
        // A second subscriber with the same query shares its evaluation and gets the same rows.
        var errorsAgain = new ConcurrentBag<LogRow>();
        using var errorTail2 = _reader.Subscribe(" status:5xx ", b => { foreach (var r in b.Rows) { errorsAgain.Add(r); } });
        var writer = new AccessWriter(_writerNode, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new OpsPortal.Core.Logs.LogsOptions()));

        const int Writers = 6, Batches = 4, Rows = 40;
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var b = 0; b < Batches; b++)
            {
                var rows = Enumerable.Range(0, Rows).Select(i => Record($"/w{w}/b{b}/r{i}", i % 3 == 0 ? 500 + w : 200)).ToList();
                await writer.WriteAsync(sourceId: w + 1, rows, rows.Count, [], null, default);
            }
        })));

        var expectedAll = Writers * Batches * Rows;
        var expectedErrors = Writers * Batches * ((Rows + 2) / 3);
        await WaitUntilAsync(() => all.Count >= expectedAll && errors.Count >= expectedErrors && errorsAgain.Count >= expectedErrors);
        await Task.Delay(300); // time for a duplicate to show up, if there were one

        Assert.Equal(expectedAll, all.Count);
        Assert.Equal(expectedAll, all.Select(r => r.Path).Distinct().Count());
        Assert.Equal(expectedErrors, errors.Count);
        Assert.All(errors, r => Assert.True(r.Status >= 500));
        Assert.Equal(expectedErrors, errors.Select(r => r.Id).Distinct().Count());
        Assert.Equal(errors.Select(r => r.Id).Order(), errorsAgain.Select(r => r.Id).Order());
    }

    [Fact]
    public async Task OneBatchAboveTheCap_SendsTheNewestAndCountsTheRestSkipped()
    {
        var batches = new ConcurrentQueue<LiveTailBatch>();
        using var tail = _reader.Subscribe("path:/cap/*", batches.Enqueue);
        var writer = new AccessWriter(_writerNode, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new OpsPortal.Core.Logs.LogsOptions()));
        var start = DateTime.UtcNow.AddMinutes(-5);
        var rows = Enumerable.Range(0, 1_500).Select(i => Record($"/cap/{i}", 200, start.AddMilliseconds(i))).ToList();

        await writer.WriteAsync(1, rows, rows.Count, [], null, default);

        await WaitUntilAsync(() => !batches.IsEmpty);
        var batch = Assert.Single(batches);
        Assert.Equal(500, batch.Skipped);
        Assert.Equal(AccessTailReader.MaxRowsPerDelivery, batch.Rows.Count);
        Assert.Equal("/cap/500", batch.Rows[0].Path);
        Assert.Equal("/cap/1499", batch.Rows[^1].Path);
    }

    [Fact]
    public async Task DisposedSubscription_GetsNothingMore()
    {
        var received = 0;
        var tail = _reader.Subscribe("", b => Interlocked.Add(ref received, b.Rows.Count));
        var writer = new AccessWriter(_writerNode, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new OpsPortal.Core.Logs.LogsOptions()));
        await writer.WriteAsync(1, [Record("/one", 200)], 1, [], null, default);
        await WaitUntilAsync(() => Volatile.Read(ref received) == 1);

        tail.Dispose();
        await writer.WriteAsync(1, [Record("/two", 200)], 1, [], null, default);
        await Task.Delay(500);

        Assert.Equal(1, Volatile.Read(ref received));
    }

    [Fact]
    public async Task SteadyBatches_ReachTheTail_WithoutAnExceptionInTheReader()
    {
        // Under a steady stream the reader wakes for every batch; each wake-up used to end in a timed-out
        // wait that Npgsql throws and catches (thousands of exceptions a minute at 10 batches/s).
        var received = 0;
        using var tail = _reader.Subscribe("", b => Interlocked.Add(ref received, b.Rows.Count));
        var writer = new AccessWriter(_writerNode, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new OpsPortal.Core.Logs.LogsOptions()));

        for (var i = 1; i <= 10; i++)
        {
            await writer.WriteAsync(1, [Record($"/steady/{i}", 200)], 1, [], null, default);
            await WaitUntilAsync(() => Volatile.Read(ref received) == i);
        }

        Assert.True(_readerExceptions.Seen.Count == 0,
            "exceptions in the tail reader: " + string.Join("; ", _readerExceptions.Seen.Select(e => $"{e.GetType().Name}: {e.Message}")));
    }

    [Fact]
    public async Task Inbox_PayloadsDuringOneRound_AllGoToTheNextInOrder_UpToTheLimit()
    {
        var inbox = new PostgresListener.PayloadInbox(maxPerTake: 3);
        var waiting = inbox.TakeAsync(default);
        Assert.False(waiting.IsCompleted);

        inbox.Add("a");
        Assert.Equal(["a"], await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        foreach (var p in new[] { "b", "c", "d", "e" })
        {
            inbox.Add(p);
        }

        Assert.Equal(["b", "c", "d"], await inbox.TakeAsync(default));
        Assert.Equal(["e"], await inbox.TakeAsync(default));
        Assert.Equal(0, inbox.Count);
        Assert.False(inbox.TakeAsync(default).IsCompleted);
    }

    [Fact]
    public void Subscribe_InvalidQuery_ThrowsBeforeRegistering() =>
        Assert.Throws<OpsPortal.Core.Logs.Query.QueryException>(() => _reader.Subscribe("status:(", _ => { }));

    [Fact]
    public void Notice_FragmentedIds_SplitIntoPayloadsThatRoundTrip()
    {
        var ids = Enumerable.Range(0, 3_000).Select(i => (long)i * 2).ToList();
        var from = new DateTime(2026, 11, 26, 8, 0, 0, DateTimeKind.Utc);
        var ranges = AccessTailNotice.ToRanges(ids);

        var payloads = AccessTailNotice.Format(from, from.AddMinutes(1), ranges);
        var parsed = payloads.Select(p => AccessTailNotice.Parse(p)!).ToList();

        Assert.True(payloads.Count > 1);
        Assert.All(payloads, p => Assert.True(p.Length < 8000));
        Assert.Equal(ranges, parsed.SelectMany(n => n.Ranges));
        Assert.All(parsed, n => Assert.Equal((from, from.AddMinutes(1)), (n.From, n.To)));
        Assert.Equal([new IdRange(5, 7), new IdRange(9, 9)], AccessTailNotice.ToRanges([5, 6, 7, 9]));
    }

    private static AccessRecord Record(string path, int status, DateTime? date = null) => new()
    {
        Ip = IPAddress.Parse("10.0.0.1"),
        Date = date ?? DateTime.UtcNow,
        Method = "GET",
        Path = path,
        Protocol = "HTTP/1.1",
        Status = status,
        Size = 10,
    };

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.True(condition(), "timed out waiting for live rows");
    }
}
