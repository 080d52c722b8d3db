using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using OpsPortal.Core.Logs.Syslog;

namespace OpsPortal.Tests.Logs.Syslog;

/// <summary>RFC 6587 framing fed through a real pipe, chunk by chunk, as a TCP connection delivers it.</summary>
public class SyslogFramingTests
{
    private sealed record FeedResult(List<(SyslogFrameStatus Status, string Text)> Frames, long MaxHeld, List<int> FramesAfterChunk)
    {
        public IEnumerable<string> Texts => Frames.Select(f => f.Text);
    }

    private static FeedResult Feed(SyslogFraming framing, params string[] chunks) =>
        Feed(framing, chunks.Select(Encoding.UTF8.GetBytes));

    /// <summary>Writes each chunk, reads every frame it completes, and notes how many bytes stay held between reads.</summary>
    private static FeedResult Feed(SyslogFraming framing, IEnumerable<byte[]> chunks, bool complete = true)
    {
        var pipe = new Pipe();
        var frames = new List<(SyslogFrameStatus, string)>();
        var afterChunk = new List<int>();
        long maxHeld = 0;

        void Drain(bool completed)
        {
            Assert.True(pipe.Reader.TryRead(out var read));
            var buffer = read.Buffer;
            SyslogFrameStatus status;
            while ((status = framing.Read(ref buffer, completed, out var frame)) != SyslogFrameStatus.NeedMoreData)
            {
                frames.Add((status, Encoding.UTF8.GetString(frame)));
                if (status == SyslogFrameStatus.Invalid)
                {
                    break;
                }
            }
            maxHeld = Math.Max(maxHeld, buffer.Length);
            pipe.Reader.AdvanceTo(buffer.Start, buffer.End);
        }

        foreach (var chunk in chunks)
        {
            pipe.Writer.Write(chunk);
            pipe.Writer.FlushAsync().AsTask().GetAwaiter().GetResult();
            Drain(completed: false);
            afterChunk.Add(frames.Count);
        }
        if (complete)
        {
            pipe.Writer.Complete();
            Drain(completed: true);
        }
        return new FeedResult(frames, maxHeld, afterChunk);
    }

    private static string Octets(string message) => $"{Encoding.UTF8.GetByteCount(message)} {message}";

    [Fact]
    public void Read_OctetCounted_FramesInOneRead()
    {
        var framing = new SyslogFraming(1000);

        var result = Feed(framing, Octets("<13>a: one") + Octets("<13>a: two\nwith a newline inside") + Octets("<13>a: ü"));

        Assert.Equal(SyslogFramingMode.OctetCounting, framing.Mode);
        Assert.Equal(["<13>a: one", "<13>a: two\nwith a newline inside", "<13>a: ü"], result.Texts);
        Assert.All(result.Frames, f => Assert.Equal(SyslogFrameStatus.Frame, f.Status));
    }

    [Fact]
    public void Read_OctetCountedByteByByte_SameFrames()
    {
        var bytes = Encoding.UTF8.GetBytes(Octets("<13>a: one") + Octets("<190>Nov 26 10:00:00 web1 nginx: 1.2.3.4 - -"));

        var result = Feed(new SyslogFraming(1000), bytes.Select(b => new[] { b }));

        Assert.Equal(["<13>a: one", "<190>Nov 26 10:00:00 web1 nginx: 1.2.3.4 - -"], result.Texts);
    }

    [Fact]
    public void Read_OctetCountedWithNewlinesBetween_Tolerated()
    {
        var result = Feed(new SyslogFraming(1000), Octets("<13>a: one") + "\r\n" + Octets("<13>a: two") + "\n");

        Assert.Equal(["<13>a: one", "<13>a: two"], result.Texts);
    }

    [Fact]
    public void Read_Newline_LfCrLfAndNulEndFrames_LastFrameWithoutEndKept()
    {
        var framing = new SyslogFraming(1000);

        var result = Feed(framing, "<13>a: 1\n<13>a: 2\r\n<13>a: 3\0<13>a: 4");

        Assert.Equal(SyslogFramingMode.NonTransparent, framing.Mode);
        Assert.Equal(["<13>a: 1", "<13>a: 2", "<13>a: 3"], result.Texts.Take(3));
        Assert.Equal(3, result.FramesAfterChunk[0]);
        Assert.Equal("<13>a: 4", result.Texts.Last());
    }

    [Fact]
    public void Read_NewlineSplitAcrossReads_ReassemblesWithoutCr()
    {
        var result = Feed(new SyslogFraming(1000), "<13>a: 1\r", "\n<13>a: ", "2\n", "\n\r\n", "<13>a: 3", "\r\n");

        Assert.Equal(["<13>a: 1", "<13>a: 2", "<13>a: 3"], result.Texts);
        Assert.Equal([0, 1, 2, 2, 2, 3], result.FramesAfterChunk);
    }

    [Fact]
    public void Read_NewlineOversize_ReportedAtOnceAndSkippedWithoutBuffering()
    {
        var chunks = Enumerable.Range(0, 10).Select(i => new string((char)('a' + i), 1000)).Prepend("<13>big: ")
            .Append("end of the big one\n<13>a: next\n").ToArray();

        var result = Feed(new SyslogFraming(100), chunks);

        Assert.Equal([SyslogFrameStatus.TooLong, SyslogFrameStatus.Frame], result.Frames.Select(f => f.Status));
        Assert.StartsWith("<13>big: aaa", result.Frames[0].Text, StringComparison.Ordinal);
        Assert.Equal("<13>a: next", result.Frames[1].Text);
        Assert.Equal(1, result.FramesAfterChunk[1]);
        Assert.True(result.MaxHeld <= 100, $"held {result.MaxHeld} bytes");
    }

    [Fact]
    public void Read_NewlineOversizeInOneRead_SkippedNextFrameKept()
    {
        var result = Feed(new SyslogFraming(100), $"<13>big: {new string('x', 500)}\n<13>a: next\n");

        Assert.Equal([SyslogFrameStatus.TooLong, SyslogFrameStatus.Frame], result.Frames.Select(f => f.Status));
        Assert.Equal("<13>a: next", result.Frames[1].Text);
    }

    [Fact]
    public void Read_OctetCountedOversize_PrefixReturnedRestSkippedWithoutBuffering()
    {
        var big = "<13>big: " + new string('x', 50_000);
        var bytes = Encoding.UTF8.GetBytes(Octets(big) + Octets("<13>a: next"));
        var chunks = bytes.Chunk(4096);

        var result = Feed(new SyslogFraming(1000), chunks);

        Assert.Equal([SyslogFrameStatus.TooLong, SyslogFrameStatus.Frame], result.Frames.Select(f => f.Status));
        Assert.Equal(big[..SyslogFraming.TooLongPrefixLength], result.Frames[0].Text);
        Assert.Equal("<13>a: next", result.Frames[1].Text);
        Assert.Equal(1, result.FramesAfterChunk[0]);
        Assert.True(result.MaxHeld <= SyslogFraming.TooLongPrefixLength + 8, $"held {result.MaxHeld} bytes");
    }

    [Theory]
    [InlineData("12x <13>a: hello")]
    [InlineData("012 <13>a: hello")]
    [InlineData("1234567890 <13>a: hello")]
    [InlineData("10 <13>a: one<13>a: no count")]
    public void Read_OctetCountNotANumber_Invalid(string input)
    {
        var result = Feed(new SyslogFraming(1000), input);

        Assert.Equal(SyslogFrameStatus.Invalid, result.Frames.Last().Status);
    }

    [Fact]
    public void Read_PeerClosesMidFrame_PartialFrameDelivered()
    {
        var result = Feed(new SyslogFraming(1000), "20 <13>a: cut");

        Assert.Equal([(SyslogFrameStatus.Frame, "<13>a: cut")], result.Frames);
    }

    [Fact]
    public void Read_PeerClosesMidCount_Invalid()
    {
        var cut = Feed(new SyslogFraming(1000), "2");

        Assert.Equal([SyslogFrameStatus.Invalid], cut.Frames.Select(f => f.Status));
    }

    [Fact]
    public void Read_NothingYet_ModeUnknownAndNeedsData()
    {
        var framing = new SyslogFraming(1000);

        var result = Feed(framing, [], complete: false);

        Assert.Empty(result.Frames);
        Assert.Equal(SyslogFramingMode.Unknown, framing.Mode);
    }
}
