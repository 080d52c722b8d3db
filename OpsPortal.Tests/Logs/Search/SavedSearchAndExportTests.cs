using System.Globalization;
using System.Net;
using System.Text;
using OpsPortal.Core;
using OpsPortal.Core.Auth;
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
        var ann = new Actor("ann@x", Roles.Engineer);

        Assert.True((await saved.SaveAsync(ann, "API errors", "status:5xx path:/api/*", "1h", personal: false)).Succeeded);
        Assert.True((await saved.SaveAsync(ann, "API errors", "status:5xx", "24h", personal: false)).Succeeded);
        Assert.Contains("query has an error", (await saved.SaveAsync(ann, "bad", "stauts:5", "1h", personal: false)).Refusal!.Detail, StringComparison.Ordinal);
        Assert.Contains("name of 1 to 100", (await saved.SaveAsync(ann, " ", "", "1h", personal: false)).Refusal!.Detail, StringComparison.Ordinal);

        var only = Assert.Single(await saved.ListAsync("bob@x"));
        Assert.Equal(("status:5xx", "24h", "ann@x"), (only.Query, only.Range, only.CreatedBy));
        Assert.Equal(RefusalKind.Forbidden, (await saved.DeleteAsync(new Actor("bob@x", Roles.Engineer), only.Id)).Refusal?.Kind);
        Assert.True((await saved.DeleteAsync(new Actor("carol@x", Roles.Admin), only.Id)).Succeeded);
        Assert.Empty(await saved.ListAsync("ann@x"));
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
    public void Cell_QuotesAndDefusesFormulas(string? value, string expected)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        LogCsv.Text(buffer, value);

        Assert.Equal(expected, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
