using System.Diagnostics;
using OpsPortal.Core.Logs.Ingest;
using OpsPortal.Core.Logs.Sources;

namespace OpsPortal.Tests.Logs.Ingest;

/// <summary>A running tail: trickles, both kinds of rotation, unfinished lines and messy lines.</summary>
public sealed class FileTailTests : FileTailTestBase
{
    // A line alone is stored without waiting for a batch to fill. How soon is a speed figure, measured by
    // bench/live-tail, not here: a bound in a test fails on a loaded CI machine (one line took 1.1 s there).
    [Fact]
    public async Task Tail_LinesAppendedOverTime_EachStoredWithoutWaitingForMore()
    {
        Append(LogPath, 0, 10);
        var source = await AddSourceAsync();
        await using var tail = StartTailer(Node(), source);
        await AssertRowsAsync(source, 10);

        for (var n = 10; n < 13; n++)
        {
            Append(LogPath, n, 1);
            await WaitUntilAsync(async () => await RowsAsync(source) == n + 1, $"line {n}");
        }
        await AssertRowsAsync(source, 13);
    }

    [Fact]
    public async Task Tail_RenameAndCreateRotation_ReadsOldFileToItsEndThenNewOne()
    {
        Append(LogPath, 0, 100);
        var source = await AddSourceAsync();
        await using var tail = StartTailer(Node(), source);
        await AssertRowsAsync(source, 100);

        // logrotate: rename, create an empty file; the writer keeps appending to the old one until it reopens.
        Append(LogPath, 100, 50);
        File.Move(LogPath, LogPath + ".1");
        AppendRaw(LogPath, "");
        Append(LogPath + ".1", 150, 20);
        await WaitUntilAsync(async () => await RowsAsync(source) == 170, "the old file's lines");
        await Task.Delay(600);
        Append(LogPath + ".1", 170, 10);
        Append(LogPath, 180, 30);

        await AssertRowsAsync(source, 210);
        Append(LogPath, 210, 5);
        await AssertRowsAsync(source, 215);
        await AssertCursorAtEndOfAsync(source, LogPath);
    }

    [Fact]
    public async Task Tail_RotatedWithUnfinishedLastLine_KeepsThatLine()
    {
        Append(LogPath, 0, 5);
        AppendRaw(LogPath, Line(5));
        var source = await AddSourceAsync();
        await using var tail = StartTailer(Node(), source);
        await AssertRowsAsync(source, 5);

        File.Move(LogPath, LogPath + ".1");
        Append(LogPath, 6, 3);

        await AssertRowsAsync(source, 9);
    }

    [Fact]
    public async Task Tail_CopyTruncate_StartsAgainAtZero()
    {
        Append(LogPath, 0, 100);
        var source = await AddSourceAsync();
        await using var tail = StartTailer(Node(), source);
        await AssertRowsAsync(source, 100);

        File.Copy(LogPath, LogPath + ".1");
        new FileStream(LogPath, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite).Dispose();
        Append(LogPath, 100, 30);
        await AssertRowsAsync(source, 130);

        Append(LogPath, 130, 10);
        await AssertRowsAsync(source, 140);
        await AssertCursorAtEndOfAsync(source, LogPath);
    }

    [Fact]
    public async Task Tail_LastLineWithoutNewline_IngestedOnceWhenItEnds()
    {
        Append(LogPath, 0, 5);
        var unfinished = Line(5);
        AppendRaw(LogPath, unfinished[..40]);
        var source = await AddSourceAsync();
        await using var tail = StartTailer(Node(), source);

        await AssertRowsAsync(source, 5);
        AppendRaw(LogPath, unfinished[40..] + "\n");
        await AssertRowsAsync(source, 6);
        Append(LogPath, 6, 1);
        await AssertRowsAsync(source, 7);
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM access WHERE path = '/t/5'"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM log_rejects"));
    }

    [Fact]
    public async Task Tail_MalformedLines_BecomeRejectsWithReasonsAndCounted()
    {
        Append(LogPath, 0, 3);
        AppendRaw(LogPath, "this is not a log line\n\n" + new string('x', 1000) + "\n");
        AppendRaw(LogPath, Line(3).Replace("GET /t/3 HTTP/1.1", "\\x16\\x03\\x01", StringComparison.Ordinal) + "\n");
        Append(LogPath, 4, 2);
        var source = await AddSourceAsync();
        await using var tail = StartTailer(Node(configure: o => o.MaxLineLength = 300), source);

        await WaitUntilAsync(async () => await RowsAsync(source) == 6, "6 rows");
        await Task.Delay(600);
        Assert.Equal(6L, await RowsAsync(source));
        Assert.Equal(2L, await ScalarAsync<long>("SELECT count(*) FROM log_rejects WHERE source_id = $1", source.Id));
        var reasons = new[]
        {
            await ScalarAsync<string>("SELECT reason FROM log_rejects WHERE raw = 'this is not a log line'"),
            await ScalarAsync<string>("SELECT reason FROM log_rejects WHERE raw LIKE 'xxx%'"),
        };
        Assert.DoesNotContain(reasons, string.IsNullOrWhiteSpace);
        Assert.Equal("line longer than 300 bytes (1000 bytes)", reasons[1]);
        Assert.Contains("x16", await ScalarAsync<string>("SELECT raw_request FROM access WHERE path IS NULL"), StringComparison.Ordinal);
        Assert.Equal(6L, await ScalarAsync<long>("SELECT accepted_total FROM log_sources WHERE id = $1", source.Id));
        Assert.Equal(2L, await ScalarAsync<long>("SELECT rejected_total FROM log_sources WHERE id = $1", source.Id));
    }

    [Fact]
    public async Task Tail_LinesWithNulAndInvalidUtf8_StoredEscapedWithTheLinesAroundThem()
    {
        // Before: 22021 on the NUL, the batch failed and was retried for ever; line 0 was never stored.
        Append(LogPath, 0, 1);
        AppendBytes(LogPath, Line(1).Replace("/t/1", "/t/1\0nul", StringComparison.Ordinal) + "\n");
        AppendBytes(LogPath, Line(2).Replace("tail-test", "agent\xFF\xC3", StringComparison.Ordinal) + "\n");
        var source = await AddSourceAsync();
        await using var tail = StartTailer(Node(), source);
        await AssertRowsAsync(source, 3);

        Append(LogPath, 3, 2);
        await AssertRowsAsync(source, 5);
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM access WHERE path = '/t/1\\x00nul'"));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM access WHERE useragent = 'agent\\xFF\\xC3'"));
        Assert.Null(await ScalarAsync<object>("SELECT last_error FROM log_sources") as string);
    }

    [Fact]
    public async Task Tail_FileMissing_RecordsErrorOnceThenTailsItWhenCreated()
    {
        var source = await AddSourceAsync();
        await using var tail = StartTailer(Node(), source);

        await WaitUntilAsync(async () => await ScalarAsync<object>("SELECT last_error FROM log_sources") is string, "the error");
        var error = await ScalarAsync<string>("SELECT last_error FROM log_sources");
        var at = await ScalarAsync<DateTime>("SELECT last_error_at FROM log_sources");
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
        await Task.Delay(1500);
        Assert.Equal(at, await ScalarAsync<DateTime>("SELECT last_error_at FROM log_sources"));

        Append(LogPath, 0, 10);
        await AssertRowsAsync(source, 10);
    }

    [Fact]
    public void FileIdentity_FollowsTheFileNotThePath()
    {
        File.WriteAllText(LogPath, "hello\n");
        using var handle = File.OpenHandle(LogPath);
        var first = FileIdentity.Of(LogPath)!.Value;
        Assert.Equal(first, FileIdentity.Of(handle));
        Assert.Equal(6, first.Size);
        Assert.EndsWith(":" + InodeByCoreutils(LogPath), first.Id, StringComparison.Ordinal);

        File.Move(LogPath, LogPath + ".1");
        File.WriteAllText(LogPath, "");

        Assert.Equal(first.Id, FileIdentity.Of(handle).Id);
        Assert.Equal(first.Id, FileIdentity.Of(LogPath + ".1")!.Value.Id);
        Assert.NotEqual(first.Id, FileIdentity.Of(LogPath)!.Value.Id);
        Assert.Null(FileIdentity.Of(Path.Combine(Dir, "nothing-here")));
        Assert.Null(FileIdentity.Of(Path.Combine(Dir, "no-dir", "x")));
    }

    private static string InodeByCoreutils(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true })!;
        var inode = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return inode;
    }

    private async Task AssertCursorAtEndOfAsync(LogSource source, string path)
    {
        var file = FileIdentity.Of(path)!.Value;
        Assert.Equal(file.Id, await ScalarAsync<string>("SELECT file_id FROM log_file_cursors WHERE source_id = $1", source.Id));
        Assert.Equal(file.Size, await ScalarAsync<long>("SELECT \"offset\" FROM log_file_cursors WHERE source_id = $1", source.Id));
    }
}
