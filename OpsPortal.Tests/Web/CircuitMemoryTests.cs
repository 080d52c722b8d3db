using Microsoft.Extensions.Logging.Abstractions;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Common;

namespace OpsPortal.Tests.Web;

public sealed class CircuitMemoryTests
{
    private readonly FixedClock _clock = new(new DateTimeOffset(2026, 12, 5, 3, 0, 0, TimeSpan.Zero));

    [Fact]
    public void TakeTrimDue_AfterABurstOfClosedPagesAndQuiet_OnceThenNotAgain()
    {
        var memory = new CircuitMemory(_clock, NullLogger<CircuitMemory>.Instance);
        OpenAndClose(memory, CircuitMemory.ClosedBeforeTrim);

        Assert.False(memory.TakeTrimDue()); // pages are still closing
        _clock.Now += CircuitMemory.Quiet;
        Assert.True(memory.TakeTrimDue());
        _clock.Now += CircuitMemory.Quiet;
        Assert.False(memory.TakeTrimDue()); // once per burst
        Assert.Equal(0, memory.Open);
    }

    [Fact]
    public void TakeTrimDue_FewPagesClosed_NeverPausesForThem()
    {
        var memory = new CircuitMemory(_clock, NullLogger<CircuitMemory>.Instance);
        OpenAndClose(memory, CircuitMemory.ClosedBeforeTrim - 1);
        _clock.Now += TimeSpan.FromHours(1);

        Assert.False(memory.TakeTrimDue());
    }

    [Fact]
    public void TakeTrimDue_APageClosesDuringTheQuietTime_WaitsForQuietAgain()
    {
        var memory = new CircuitMemory(_clock, NullLogger<CircuitMemory>.Instance);
        OpenAndClose(memory, CircuitMemory.ClosedBeforeTrim);
        _clock.Now += CircuitMemory.Quiet / 2;
        OpenAndClose(memory, 1);
        _clock.Now += CircuitMemory.Quiet / 2;

        Assert.False(memory.TakeTrimDue());
        _clock.Now += CircuitMemory.Quiet / 2;
        Assert.True(memory.TakeTrimDue());
    }

    private static void OpenAndClose(CircuitMemory memory, int pages)
    {
        for (var i = 0; i < pages; i++)
        {
            memory.Opened();
        }
        for (var i = 0; i < pages; i++)
        {
            memory.Closed();
        }
    }
}
