using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
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
