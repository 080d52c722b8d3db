using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsPortal.Core.Logs.Search;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Logs.Rollups;

public sealed class LogTrendsApiTests : ApiTestBase
{
    private sealed record Point(DateTimeOffset T, long Requests, long Status5xx, double? P95);
    private sealed record Line(string Key, List<Point> Points);
    private sealed record Trends(int StepSeconds, string Source, string? Split, List<Line> Lines);

    [Fact]
    public async Task Trends_OfLinesJustShipped_CountedBeforeAnyRollup_PerHostToo()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var now = DateTime.UtcNow.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture);
        var lines = string.Join('\n', Enumerable.Range(0, 12).Select(i =>
            $"10.0.0.{i} - - [{now}] \"GET /api/orders/{i} HTTP/1.1\" {(i % 4 == 0 ? 503 : 200)} 10 \"-\" \"t\""));
        using var body = new StringContent(lines, Encoding.UTF8, "text/plain");
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/logs?format=combined&host=web1", body)).StatusCode);

        var all = await client.GetFromJsonAsync<Trends>("/api/logs/trends?from=" + Uri.EscapeDataString(DateTime.UtcNow.AddHours(-1).ToString("O")) + "&step=1m");
        var byPath = await client.GetFromJsonAsync<Trends>("/api/logs/trends?split=path&step=1h");
        var host = await client.GetFromJsonAsync<Trends>("/api/logs/trends?q=host:web1&step=1h");

        Assert.Equal(("minute", 60), (all!.Source, all.StepSeconds));
        Assert.Equal(12, all.Lines.Single().Points.Sum(p => p.Requests));
        Assert.Equal(3, all.Lines.Single().Points.Sum(p => p.Status5xx));
        Assert.Equal(("/api/orders", 12L), (byPath!.Lines.Single().Key, byPath.Lines.Single().Points.Sum(p => p.Requests)));
        Assert.Equal(12, host!.Lines.Single().Points.Sum(p => p.Requests));
    }

    /// <summary>
    /// The API writes its answer by hand (LogTrendsJson): the same bytes as serialising the reader's answer, for
    /// every shape — lines split by host and path (keys the default encoder escapes), gaps, percentiles or not,
    /// minute, hour and access sources.
    /// </summary>
    [Fact]
    public async Task Trends_Json_SameBytesAsTheSerialisedAnswer()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var at = DateTime.UtcNow.AddMinutes(-3);
        var lines = string.Join('\n', Enumerable.Range(0, 60).Select(i =>
            $"10.0.0.{i} - - [{at.AddSeconds(i * 3).ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture)}] " +
            $"\"GET {(i % 3 == 0 ? "/caf\u00e9/<b>&'x/" : "/api/orders/")}{i} HTTP/1.1\" {(i % 5 == 0 ? 503 : 200)} 10 \"-\" \"t\" " +
            $"host=web{i % 2 + 1} scheme=https rt=0.0{i % 9 + 1}0 urt=\"0.00{i % 9 + 1}\" upstream=\"10.1.1.1:80\" ustatus=\"200\" tls=TLSv1.3 cipher=X"));
        using (var body = new StringContent(lines, Encoding.UTF8, "text/plain"))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/logs?format=opsportal", body)).StatusCode);
        }
        var trends = Factory.Services.GetRequiredService<LogTrends>();
        var from = new DateTimeOffset(at.AddMinutes(-10), TimeSpan.Zero);
        var to = new DateTimeOffset(at.AddMinutes(5), TimeSpan.Zero);

        foreach (var (q, step, split, percentiles) in new (string? Q, string Step, string? Split, bool Percentiles)[]
                 {
                     (null, "1m", null, true), (null, "1h", null, true), (null, "5m", "path", true), (null, "1m", "host", false),
                     ("host:web2", "1m", null, true), ("status:5xx", "2m", null, true),
                 })
        {
            var url = $"/api/logs/trends?from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}&step={step}" +
                      (q is null ? "" : $"&q={Uri.EscapeDataString(q)}") + (split is null ? "" : $"&split={split}") + (percentiles ? "" : "&percentiles=false");
            var response = await client.GetAsync(url);
            var actual = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);

            var answer = (await trends.SeriesAsync(new LogTrendQuery(q, from, to, OpsPortal.Web.Features.Metrics.MetricsEndpoints.ParseStep(step), split, 10, percentiles),
                CancellationToken.None)).Value;
            Assert.Contains(answer.Lines, l => l.Points.Any(p => p.Requests > 0));
            var expected = JsonSerializer.SerializeToUtf8Bytes(answer, JsonSerializerOptions.Web);
            Assert.True(expected.AsSpan().SequenceEqual(actual),
                $"{url}\nexpected {Encoding.UTF8.GetString(expected)[..Math.Min(expected.Length, 600)]}\nactual   {Encoding.UTF8.GetString(actual)[..Math.Min(actual.Length, 600)]}");
        }
    }

    [Fact]
    public async Task Trends_BadInput_ProblemDetails_AndSignInRequired()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/logs/trends?split=browser")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/logs/trends?step=90s")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/logs/trends?q=stauts:500")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/logs/trends?percentiles=no")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/logs/trends?percentiles=false&split=host")).StatusCode);
        using var anonymous = Factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/logs/trends")).StatusCode);
    }
}
