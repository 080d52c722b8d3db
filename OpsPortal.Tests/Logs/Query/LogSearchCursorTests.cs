using OpsPortal.Core.Logs.Search;


namespace OpsPortal.Tests.Logs.Query;

public sealed class LogSearchCursorTests
{
    [Fact]
    public void Cursor_RoundTrips_AndIsUrlSafe()
    {
        var date = new DateTime(2026, 11, 26, 10, 0, 0, 123).AddTicks(4);

        var cursor = LogSearchCursor.Encode(date, 9_876_543_210);

        Assert.Matches("^[A-Za-z0-9_-]{22}$", cursor);
        Assert.True(LogSearchCursor.TryDecode(cursor, out var back, out var id));
        Assert.Equal((date.Ticks, 9_876_543_210L), (back.Ticks, id));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("bogus")]
    [InlineData("'; DROP TABLE access; --")]
    [InlineData("//////////////////////")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAA=")]
    public void Cursor_Garbage_IsRejected(string? cursor) =>
        Assert.False(LogSearchCursor.TryDecode(cursor, out _, out _));
}
