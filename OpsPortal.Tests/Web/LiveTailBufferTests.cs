using OpsPortal.Core.Logs.Search;
using OpsPortal.Web.Features.Logs.LiveTail;

namespace OpsPortal.Tests.Web;

public sealed class LiveTailBufferTests
{
    [Fact]
    public void Flush_ShowsNewestFirst_AndCapsWithoutCallingShownRowsSkipped()
    {
        var buffer = new LiveTailBuffer(capacity: 5);
        buffer.Add(Rows(1, 3), 0);
        buffer.Flush();
        buffer.Add(Rows(4, 4), 0);

        Assert.True(buffer.Flush());

        Assert.Equal([7, 6, 5, 4, 3], buffer.Rows.Select(r => r.Id));
        Assert.Equal(0, buffer.Skipped);
        Assert.Equal(7, buffer.Received);
    }

    [Fact]
    public void Add_MoreThanCapacityBetweenRenders_CountsTheUnshownAsSkipped()
    {
        var buffer = new LiveTailBuffer(capacity: 5);

        buffer.Add(Rows(1, 8), skipped: 2);
        buffer.Flush();

        Assert.Equal([8, 7, 6, 5, 4], buffer.Rows.Select(r => r.Id));
        Assert.Equal(3 + 2, buffer.Skipped);
        Assert.Equal(10, buffer.Received);
    }

    [Fact]
    public void Paused_KeepsTheScreenStill_ThenResumeShowsWhatWaited()
    {
        var buffer = new LiveTailBuffer(capacity: 3);
        buffer.Add(Rows(1, 1), 0);
        buffer.Flush();
        buffer.Paused = true;

        buffer.Add(Rows(2, 5), 0);

        Assert.False(buffer.Flush());
        Assert.Equal([1], buffer.Rows.Select(r => r.Id));
        Assert.Equal(3, buffer.Waiting);
        Assert.Equal(2, buffer.Skipped);

        buffer.Paused = false;
        Assert.True(buffer.Flush());
        Assert.Equal([6, 5, 4], buffer.Rows.Select(r => r.Id));
        Assert.Equal(0, buffer.Waiting);
    }

    private static List<LogRow> Rows(int firstId, int count) =>
        Enumerable.Range(firstId, count).Select(id => new LogRow(id, DateTime.UtcNow, null, null, null, "GET", $"/{id}", null,
            200, 1, null, null, null, null, null, null, null, null, null, null, 1, null, null)).ToList();
}
