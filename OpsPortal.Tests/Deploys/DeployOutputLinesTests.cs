using Microsoft.AspNetCore.Components.Web.Virtualization;
using Npgsql;
using OpsPortal.Core.Deploys;
using OpsPortal.Web.Features.Deploys;

namespace OpsPortal.Tests.Deploys;

/// <summary>The rows a deploy's output pane gives Virtualize: from memory when it can, never an exception that would end the circuit.</summary>
public sealed class DeployOutputLinesTests
{
    private static List<DeployOutputLine> Lines(long from, long to) =>
        [.. Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => new DeployOutputLine { DeployId = 1, Seq = i, Text = $"line {i}" })];

    private static Func<long, int, CancellationToken, Task<List<DeployOutputLine>>> Database(List<(long From, int Count)> calls) =>
        (from, count, _) =>
        {
            calls.Add((from, count));
            return Task.FromResult(Lines(from, from + count - 1));
        };

    [Fact]
    public async Task Provide_RowsInTheTail_ComeFromMemory_OlderOnesFromTheDatabase()
    {
        var lines = new DeployOutputLines(initialTotal: 4);
        lines.Add(Lines(5, 30), dropped: 0);
        var calls = new List<(long, int)>();

        var recent = await lines.ProvideAsync(new ItemsProviderRequest(9, 5, CancellationToken.None), Database(calls));
        var older = await lines.ProvideAsync(new ItemsProviderRequest(0, 10, CancellationToken.None), Database(calls));

        Assert.Equal(30, recent.TotalItemCount);
        Assert.Equal([10L, 11, 12, 13, 14], recent.Items.Select(l => l.Seq));
        Assert.Equal((1L, 10), Assert.Single(calls));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), older.Items.Select(l => l.Seq));
    }

    [Fact]
    public async Task Add_AfterAGap_ForgetsTheTail_SoTheGapIsReadFromTheDatabase()
    {
        var lines = new DeployOutputLines(0, capacity: 100);
        lines.Add(Lines(1, 10), 0);
        lines.Add(Lines(15, 20), dropped: 4);
        var calls = new List<(long, int)>();

        var rows = await lines.ProvideAsync(new ItemsProviderRequest(10, 10, CancellationToken.None), Database(calls));

        Assert.Equal(20, lines.Total);
        Assert.Equal((11L, 10), Assert.Single(calls));
        Assert.Equal(Enumerable.Range(11, 10).Select(i => (long)i), rows.Items.Select(l => l.Seq));
    }

    [Fact]
    public async Task Provide_CancelledWhileNpgsqlOpensAConnection_ThrowsWithTheRequestsOwnToken()
    {
        // Npgsql cancelled during a connection open throws a TaskCanceledException carrying a token of its
        // own; Virtualize rethrows anything but the request's token in its render, which ends the circuit.
        var lines = new DeployOutputLines(50);
        using var request = new CancellationTokenSource();
        var foreign = new CancellationTokenSource();
        await foreign.CancelAsync();

        var pending = lines.ProvideAsync(new ItemsProviderRequest(0, 20, request.Token), async (_, _, _) =>
        {
            await request.CancelAsync();
            throw new TaskCanceledException("opening", null, foreign.Token);
        });

        var thrown = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
        Assert.Equal(request.Token, thrown.CancellationToken);
    }

    [Fact]
    public async Task Provide_DatabaseFault_ShowsNoRowsAndSaysSo_NextReadClearsIt()
    {
        var lines = new DeployOutputLines(50);

        var failed = await lines.ProvideAsync(new ItemsProviderRequest(0, 20, CancellationToken.None),
            (_, _, _) => throw new NpgsqlException("the database went away"));

        Assert.Empty(failed.Items);
        Assert.Equal(50, failed.TotalItemCount);
        Assert.NotNull(lines.LoadError);
        await lines.ProvideAsync(new ItemsProviderRequest(0, 20, CancellationToken.None), Database([]));
        Assert.Null(lines.LoadError);
    }

    [Fact]
    public async Task Add_KeepsAtMostTheCapacity_NewestLines()
    {
        var lines = new DeployOutputLines(0, capacity: 10);
        var calls = new List<(long, int)>();

        lines.Add(Lines(1, 25), 0);
        await lines.ProvideAsync(new ItemsProviderRequest(15, 10, CancellationToken.None), Database(calls));
        Assert.Empty(calls);
        await lines.ProvideAsync(new ItemsProviderRequest(14, 10, CancellationToken.None), Database(calls));

        Assert.Equal(25, lines.Total);
        Assert.Equal((15L, 10), Assert.Single(calls));
    }
}
