using OpsPortal.Web.Common;

namespace OpsPortal.Tests.Common;

public class RenderLoopTests
{
    [Fact]
    public async Task Post_ManyItemsFromManyThreads_AllArriveOnceInBatches_InOrderPerThread()
    {
        var seen = new List<(int Thread, int Seq)>();
        var batches = 0;
        RenderLoop<(int, int)>? loop = null;
        loop = new RenderLoop<(int, int)>(work => work(), (batch, dropped) =>
        {
            lock (seen)
            {
                seen.AddRange(batch);
                batches++;
            }
            Assert.Equal(0, dropped);
            _ = Task.Run(() => loop!.Rendered());
            return Task.CompletedTask;
        }, TimeProvider.System, TimeSpan.FromMilliseconds(5));

        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                Assert.True(loop.Post((t, i)));
            }
        })));

        await WaitUntilAsync(() => { lock (seen) { return seen.Count == 8_000; } });
        await loop.DisposeAsync();
        foreach (var thread in seen.GroupBy(s => s.Thread))
        {
            Assert.Equal(Enumerable.Range(0, 2_000), thread.Select(s => s.Seq));
        }
        Assert.True(batches < 8_000, $"{batches} batches for 8,000 items: not batched");
    }

    [Fact]
    public async Task NextBatch_WaitsForTheRenderInFlight()
    {
        var applied = 0;
        var loop = new RenderLoop<int>(work => work(), (_, _) => { Interlocked.Increment(ref applied); return Task.CompletedTask; },
            TimeProvider.System, TimeSpan.Zero);

        loop.Post(1);
        await WaitUntilAsync(() => Volatile.Read(ref applied) == 1);
        loop.Post(2);
        await Task.Delay(300);
        Assert.Equal(1, Volatile.Read(ref applied)); // the first render is not acknowledged yet

        loop.Rendered();
        await WaitUntilAsync(() => Volatile.Read(ref applied) == 2);
        await loop.DisposeAsync();
    }

    [Fact]
    public async Task Post_PastCapacity_DropsTheOldest_AndCountsThem()
    {
        var gate = new TaskCompletionSource();
        var got = new List<int>();
        var droppedTotal = 0;
        var loop = new RenderLoop<int>(async work => { await gate.Task; await work(); }, (batch, dropped) =>
        {
            got.AddRange(batch);
            droppedTotal += dropped;
            return Task.CompletedTask;
        }, TimeProvider.System, TimeSpan.Zero, capacity: 10);

        loop.Post(0);
        await Task.Delay(100); // the loop has taken item 0 and waits at the gate
        for (var i = 1; i <= 30; i++)
        {
            loop.Post(i);
        }
        gate.SetResult();
        loop.Rendered();
        await WaitUntilAsync(() => got.Contains(30));
        await loop.DisposeAsync();

        Assert.Equal(20, droppedTotal);
        Assert.Equal([0, .. Enumerable.Range(21, 10)], got);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(10);
        }
    }
}
