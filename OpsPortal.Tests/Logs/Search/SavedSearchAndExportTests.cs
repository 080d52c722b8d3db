using System.Globalization;
using System.Net;
using System.Text;
using OpsPortal.Core.Logs.Search;
using OpsPortal.Tests.Infrastructure;
using OpsPortal.Web.Features.Logs.Search;

namespace OpsPortal.Tests.Logs.Search;

public sealed class SavedSearchAndExportTests : ApiTestBase
{
    [Fact]
    public async Task SavedSearch_SaveReplaceAndDeleteRules()
    {
        var saved = Factory.Services.GetRequiredService<SavedSearchService>();

        await saved.SaveAsync(As.Engineer("ann@x"), "API errors", "status:5xx path:/api/*", "1h").OkAsync();
        await saved.SaveAsync(As.Engineer("bob@x"), "API errors", "status:5xx", "24h").OkAsync();
        Assert.Contains("query has an error", (await saved.SaveAsync(As.Engineer("ann@x"), "bad", "stauts:5", "1h").RefusedAsync(OpsPortal.Core.RefusalKind.Invalid)).Detail, StringComparison.Ordinal);
        Assert.Contains("name of 1 to 100", (await saved.SaveAsync(As.Engineer("ann@x"), " ", "", "1h").RefusedAsync(OpsPortal.Core.RefusalKind.Invalid)).Detail, StringComparison.Ordinal);

        var only = Assert.Single(await saved.ListAsync());
        Assert.Equal(("status:5xx", "24h", "ann@x"), (only.Query, only.Range, only.CreatedBy));
        await saved.DeleteAsync(As.Engineer("bob@x"), only.Id).RefusedAsync(OpsPortal.Core.RefusalKind.Forbidden);
        await saved.DeleteAsync(As.Admin("carol@x"), only.Id).OkAsync();
        Assert.Empty(await saved.ListAsync());
    }

    [Fact]
    public async Task Export_StreamsMatchingRowsAsCsv()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var now = DateTime.UtcNow.AddMinutes(-1).ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture);
        var body = new StringBuilder();
        for (var i = 0; i < 1500; i++)
        {
            body.Append(CultureInfo.InvariantCulture, $"10.0.0.1 - - [{now}] \"GET /x/{i} HTTP/1.1\" {(i % 3 == 0 ? 500 : 200)} 5 \"-\" \"=HYPERLINK(1)\"\n");
        }
        (await client.PostAsync("/api/logs?format=combined&host=h", new StringContent(body.ToString(), Encoding.UTF8, "text/plain"))).EnsureSuccessStatusCode();

        var response = await client.GetAsync("/api/logs/export?q=status%3A500");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("date,ip,", lines[0], StringComparison.Ordinal);
        Assert.Equal(500, lines.Length - 1);
        Assert.All(lines.Skip(1), l => Assert.Contains("\"'=HYPERLINK(1)\"", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Export_BadQuery_Returns400()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var response = await client.GetAsync("/api/logs/export?q=stauts%3A500");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("did you mean status", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("plain", "\"plain\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("=cmd|' /C calc'!A0", "\"'=cmd|' /C calc'!A0\"")]
    [InlineData("+1", "\"'+1\"")]
    [InlineData("@SUM(1)", "\"'@SUM(1)\"")]
    [InlineData("-", "\"'-\"")]
    public void Cell_QuotesAndDefusesFormulas(string? value, string expected) =>
        Assert.Equal(expected, LogsExportEndpoint.Cell(value));
}
