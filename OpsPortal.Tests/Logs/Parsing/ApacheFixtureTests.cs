using System.Net;
using OpsPortal.Core.Logs.Parsing;

namespace OpsPortal.Tests.Logs.Parsing;

/// <summary>
/// Real Apache traffic (Fixtures/README.md), parsed with <c>combined</c>. The expected numbers
/// were counted independently with awk, so they check the parser rather than restate it.
/// </summary>
public class ApacheFixtureTests
{
    private static readonly Lazy<FixtureResult> Result = new(ParseFixture);

    [Fact]
    public void Combined_RealFixture_Parses9999LinesAndRejectsOne()
    {
        Assert.Equal(9_999, Result.Value.Parsed);
        var reject = Assert.Single(Result.Value.Rejects);
        Assert.Equal(8_899, reject.LineNumber);
        Assert.Contains("http_user_agent", reject.Reason, StringComparison.Ordinal);
        Assert.StartsWith("expected '\"' at column", reject.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Combined_RealFixture_StatusCountsMatch()
    {
        Assert.Equal(9_125, Result.Value.Status200);
        Assert.Equal(3, Result.Value.Status5xx);
    }

    [Fact]
    public void Combined_RealFixture_Has1753DistinctClients()
    {
        Assert.Equal(1_753, Result.Value.DistinctIps);
        Assert.Equal(0, Result.Value.ByName);
    }

    [Fact]
    public void Combined_RealFixture_FirstAndLastTimesMatch()
    {
        Assert.Equal(new DateTime(2015, 5, 17, 10, 5, 0, DateTimeKind.Utc), Result.Value.First);
        Assert.Equal(new DateTime(2015, 5, 20, 21, 5, 59, DateTimeKind.Utc), Result.Value.Last);
    }

    [Fact]
    public void Combined_RealFixture_DashSizesBecomeZero()
    {
        Assert.Equal(669, Result.Value.DashSizes);
    }

    [Fact]
    public void Combined_RealFixture_PathsGroupWithoutTheQueryString()
    {
        // awk: 1,498 distinct requests are 1,368 distinct paths; "/" is 197 requests alone and 575 with its
        // ?flav=rss20 etc., the second most requested path instead of the ninth (ADR-044).
        Assert.Equal(1_498, Result.Value.Requests.Count);
        Assert.Equal(1_368, Result.Value.Paths.Count);
        Assert.Equal([("/favicon.ico", 807), ("/", 575), ("/style2.css", 546)],
            Result.Value.Paths.OrderByDescending(p => p.Value).Take(3).Select(p => (p.Key, p.Value)));
        Assert.Equal(489, Result.Value.Paths["/blog/tags/puppet"]);
    }

    private static FixtureResult ParseFixture()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "apache_combined_elastic.log");
        var parser = LogFormat.Preset("combined");
        var record = new AccessRecord();
        var result = new FixtureResult();
        var ips = new HashSet<IPAddress>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (!parser.TryParse(line, record, out var reason))
            {
                result.Rejects.Add((lineNumber, reason));
                continue;
            }

            result.Parsed++;
            result.Status200 += record.Status == 200 ? 1 : 0;
            result.Status5xx += record.Status is >= 500 and <= 599 ? 1 : 0;
            result.ByName += record.RemoteHost is null ? 0 : 1;

            // The raw text tells a logged "-" from a real 0; the record must hold 0 for both.
            if (line.Contains($"\" {record.Status} - \"", StringComparison.Ordinal))
            {
                Assert.Equal(0, record.Size);
                result.DashSizes++;
            }

            ips.Add(record.Ip!);
            result.Requests.Add(record.Query is null ? record.Path! : record.Path + "?" + record.Query);
            result.Paths[record.Path!] = result.Paths.GetValueOrDefault(record.Path!) + 1;
            result.First = result.First == default || record.Date < result.First ? record.Date : result.First;
            result.Last = record.Date > result.Last ? record.Date : result.Last;
        }

        result.DistinctIps = ips.Count;
        return result;
    }

    private sealed class FixtureResult
    {
        public int Parsed { get; set; }
        public List<(int LineNumber, string Reason)> Rejects { get; } = [];
        public int Status200 { get; set; }
        public int Status5xx { get; set; }
        public int DistinctIps { get; set; }
        public int ByName { get; set; }
        public int DashSizes { get; set; }
        public HashSet<string> Requests { get; } = [];
        public Dictionary<string, int> Paths { get; } = [];
        public DateTime First { get; set; }
        public DateTime Last { get; set; }
    }
}
