using System.Text;
using OpsPortal.Core.Metrics;
using OpsPortal.Core.Metrics.Ingest;

namespace OpsPortal.Tests.Metrics;

public sealed class StatsdParserTests
{
    private static (MetricLineError Error, string Name, StatsdValue[] Values) Parse(string line)
    {
        var name = new char[StatsdParser.MaxNameLength];
        var values = new StatsdValue[StatsdParser.MaxValuesPerLine];
        var error = StatsdParser.Parse(Encoding.UTF8.GetBytes(line), name, out var length, values, out var count);
        return (error, new string(name, 0, length), values[..count]);
    }

    [Theory]
    [InlineData("gorets:1|c", MetricKind.Counter, 1.0)]
    [InlineData("gorets:-3|c", MetricKind.Counter, -3.0)]
    [InlineData("gorets:2.5|c", MetricKind.Counter, 2.5)]
    [InlineData("glork:320|ms", MetricKind.Timer, 320.0)]
    [InlineData("glork:0.25|h", MetricKind.Timer, 0.25)]
    [InlineData("glork:7|d", MetricKind.Timer, 7.0)]
    [InlineData("gaugor:333|g", MetricKind.Gauge, 333.0)]
    [InlineData("gaugor:1e3|g", MetricKind.Gauge, 1000.0)]
    public void Parse_EveryNumericType_KindAndValue(string line, MetricKind kind, double value)
    {
        var (error, name, values) = Parse(line);

        Assert.Equal(MetricLineError.None, error);
        Assert.Equal(line[..line.IndexOf(':', StringComparison.Ordinal)], name);
        var v = Assert.Single(values);
        Assert.Equal(kind, v.Kind);
        Assert.Equal(value, v.Value);
        Assert.Equal(1.0, v.SampleRate);
        Assert.False(v.IsDelta);
    }

    [Theory]
    [InlineData("gaugor:+4|g", 4.0)]
    [InlineData("gaugor:-10|g", -10.0)]
    public void Parse_SignedGauge_IsDelta(string line, double value)
    {
        var v = Assert.Single(Parse(line).Values);

        Assert.True(v.IsDelta);
        Assert.Equal(value, v.Value);
    }

    [Fact]
    public void Parse_SignedCounter_IsNotDelta()
    {
        Assert.False(Assert.Single(Parse("hits:-1|c").Values).IsDelta);
    }

    [Fact]
    public void Parse_Set_KeepsTheMemberText()
    {
        const string line = "uniques:user-765|s";

        var v = Assert.Single(Parse(line).Values);

        Assert.Equal(MetricKind.Set, v.Kind);
        Assert.Equal("user-765", line.Substring(v.MemberStart, v.MemberLength));
    }

    [Theory]
    [InlineData("gorets:1|c|@0.1", 0.1)]
    [InlineData("glork:320|ms|@0.5", 0.5)]
    [InlineData("gorets:1|c|@1", 1.0)]
    public void Parse_SampleRate_IsKept(string line, double rate)
    {
        Assert.Equal(rate, Assert.Single(Parse(line).Values).SampleRate);
    }

    [Fact]
    public void Parse_SeveralValuesForOneName_AllTaken()
    {
        var (error, name, values) = Parse("multi:1|c:2|c|@0.5:30|ms");

        Assert.Equal(MetricLineError.None, error);
        Assert.Equal("multi", name);
        Assert.Equal(3, values.Length);
        Assert.Equal((1.0, 1.0), (values[0].Value, values[0].SampleRate));
        Assert.Equal((2.0, 0.5), (values[1].Value, values[1].SampleRate));
        Assert.Equal(MetricKind.Timer, values[2].Kind);
    }

    [Fact]
    public void Parse_DogStatsdTags_AcceptedAndIgnored()
    {
        var (error, _, values) = Parse("page.views:1|c|@0.5|#env:prod,region:eu");

        Assert.Equal(MetricLineError.None, error);
        Assert.Equal(0.5, Assert.Single(values).SampleRate);
    }

    [Theory]
    [InlineData("my metric  name:1|c", "my_metric_name")]
    [InlineData("api/v1/orders:1|c", "api-v1-orders")]
    [InlineData("weird$%&chars!:1|c", "weirdchars")]
    [InlineData("caf\u00e9.latency:1|c", "caf.latency")]
    [InlineData("Mixed_Case-ok.1:1|c", "Mixed_Case-ok.1")]
    public void Parse_Name_SanitisedAsEtsyDoes(string line, string expected)
    {
        var (error, name, _) = Parse(line);

        Assert.Equal(MetricLineError.None, error);
        Assert.Equal(expected, name);
    }

    [Theory]
    [InlineData("gorets", nameof(MetricLineError.NoValue))]
    [InlineData("gorets:1", nameof(MetricLineError.NoValue))]
    [InlineData(":1|c", nameof(MetricLineError.EmptyName))]
    [InlineData("$$$:1|c", nameof(MetricLineError.EmptyName))]
    [InlineData("gorets:|c", nameof(MetricLineError.BadValue))]
    [InlineData("gorets:abc|c", nameof(MetricLineError.BadValue))]
    [InlineData("gorets:1,5|c", nameof(MetricLineError.BadValue))]
    [InlineData("gorets:NaN|g", nameof(MetricLineError.BadValue))]
    [InlineData("gorets:Infinity|ms", nameof(MetricLineError.BadValue))]
    [InlineData("gorets:1e999|c", nameof(MetricLineError.BadValue))]
    [InlineData("gorets:1|x", nameof(MetricLineError.BadType))]
    [InlineData("gorets:1|", nameof(MetricLineError.BadType))]
    [InlineData("gorets:1|C", nameof(MetricLineError.BadType))]
    [InlineData("gorets:1|c|@", nameof(MetricLineError.BadSection))]
    [InlineData("gorets:1|c|@0", nameof(MetricLineError.BadSampleRate))]
    [InlineData("gorets:1|c|@-0.5", nameof(MetricLineError.BadSampleRate))]
    [InlineData("gorets:1|c|@1.5", nameof(MetricLineError.BadSampleRate))]
    [InlineData("gorets:1|c|@abc", nameof(MetricLineError.BadSampleRate))]
    [InlineData("gorets:1|c|junk", nameof(MetricLineError.BadSection))]
    [InlineData("uniques:|s", nameof(MetricLineError.BadValue))]
    [InlineData("ok:1|c:bad|c", nameof(MetricLineError.BadValue))]
    public void Parse_Malformed_ReasonAndNoValues(string line, string expected)
    {
        var (error, _, values) = Parse(line);

        Assert.Equal(Enum.Parse<MetricLineError>(expected), error);
        Assert.Empty(values);
    }

    [Fact]
    public void Parse_NameTooLong_Refused()
    {
        Assert.Equal(MetricLineError.NameTooLong, Parse(new string('a', StatsdParser.MaxNameLength + 1) + ":1|c").Error);
        Assert.Equal(MetricLineError.None, Parse(new string('a', StatsdParser.MaxNameLength) + ":1|c").Error);
    }

    [Fact]
    public void Parse_TooManyValues_Refused()
    {
        var line = "many" + string.Concat(Enumerable.Repeat(":1|c", StatsdParser.MaxValuesPerLine + 1));

        Assert.Equal(MetricLineError.TooManyValues, Parse(line).Error);
    }

    [Theory]
    [InlineData("servers.web1.load 1.5 1764750000", "servers.web1.load", 1.5, 1764750000.0)]
    [InlineData("a.b\t-2\t1764750000.5", "a.b", -2.0, 1764750000.5)]
    [InlineData("  a.b   3   -1  ", "a.b", 3.0, null)]
    public void Graphite_Line_NameValueAndTime(string line, string name, double value, double? seconds)
    {
        var buffer = new char[StatsdParser.MaxNameLength];
        var error = GraphiteParser.Parse(Encoding.UTF8.GetBytes(line), buffer, out var length, out var v, out var s);

        Assert.Equal(MetricLineError.None, error);
        Assert.Equal(name, new string(buffer, 0, length));
        Assert.Equal(value, v);
        Assert.Equal(seconds, s);
    }

    [Theory]
    [InlineData("a.b", nameof(MetricLineError.NoValue))]
    [InlineData("a.b 1", nameof(MetricLineError.BadSection))]
    [InlineData("a.b 1 2 3", nameof(MetricLineError.BadSection))]
    [InlineData("a.b x 1764750000", nameof(MetricLineError.BadValue))]
    [InlineData("a.b 1 yesterday", nameof(MetricLineError.BadTimestamp))]
    [InlineData("a.b 1 -5", nameof(MetricLineError.BadTimestamp))]
    public void Graphite_Malformed_Reason(string line, string expected)
    {
        var buffer = new char[StatsdParser.MaxNameLength];

        Assert.Equal(Enum.Parse<MetricLineError>(expected), GraphiteParser.Parse(Encoding.UTF8.GetBytes(line), buffer, out _, out _, out _));
    }
}
