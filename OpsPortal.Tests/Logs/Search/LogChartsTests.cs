using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using OpsPortal.Core.Logs.Search;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Logs.Search;

/// <summary>The histogram and latency figures the Logs page draws, against a known set of lines.</summary>
public sealed class LogChartsTests : ApiTestBase
{
    [Theory]
    [InlineData(15 * 60, 10)]
    [InlineData(3600, 30)]
    [InlineData(6 * 3600, 300)]
    [InlineData(24 * 3600, 900 * 2)]
    [InlineData(7 * 86400, 3 * 3600)]
    public void BucketFor_GivesAtMost120Bars(int rangeSeconds, int expectedSeconds)
    {
        var bucket = LogCharts.BucketFor(TimeSpan.FromSeconds(rangeSeconds));

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), bucket);
        Assert.True(TimeSpan.FromSeconds(rangeSeconds) / bucket <= 120);
    }

    [Fact]
    public async Task HistogramAndLatency_MatchTheLines()
    {
        var start = new DateTimeOffset(DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour - 1), TimeSpan.Zero);
        var lines = new StringBuilder();
        // Minute 0: three 200s and one 502; minute 5: one 404; backend times 0.1 … 0.5.
        void Line(int minute, int status, double backend) => lines.Append(CultureInfo.InvariantCulture,
            $"10.0.0.1 - - [{start.AddMinutes(minute):dd/MMM/yyyy:HH:mm:ss} +0000] \"GET /x HTTP/1.1\" {status} 5 \"-\" \"t\" host=h scheme=https rt={backend:0.000} urt=\"{backend:0.000}\" upstream=\"10.0.1.2:80\" ustatus=\"{status}\" tls=TLSv1.3 cipher=C\n");
        Line(0, 200, 0.1); Line(0, 200, 0.2); Line(0, 200, 0.3); Line(0, 502, 0.4); Line(5, 404, 0.5);
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var ingest = await client.PostAsync("/api/logs?format=opsportal", new StringContent(lines.ToString(), Encoding.UTF8, "text/plain"));
        ingest.EnsureSuccessStatusCode();
        var search = Factory.Services.GetRequiredService<LogCharts>();

        var histogram = await search.HistogramAsync(null, start, start.AddHours(1), default).OkAsync();
        var latency = await search.LatencyAsync(null, start, start.AddHours(1), default).OkAsync();
        var only5xx = await search.LatencyAsync("status:5xx", start, start.AddHours(1), default).OkAsync();

        Assert.Equal(TimeSpan.FromSeconds(30), histogram.Bucket);
        Assert.Equal(120, histogram.Bars.Count);
        Assert.Equal(start.UtcDateTime, histogram.Bars[0].Start);
        Assert.Equal((3L, 1L), (histogram.Bars[0].Status2xx, histogram.Bars[0].Status5xx));
        Assert.Equal(1L, histogram.Bars[10].Status4xx);
        Assert.Equal(5L, histogram.Bars.Sum(b => b.Total));
        Assert.Equal(5, latency.Count);
        Assert.Equal(0.3, latency.Backend.P50!.Value, 6);
        Assert.Equal(0.48, latency.Backend.P95!.Value, 6);
        Assert.Equal(1, only5xx.Count);
        Assert.Equal(0.4, only5xx.Backend.P99!.Value, 6);
    }
}
