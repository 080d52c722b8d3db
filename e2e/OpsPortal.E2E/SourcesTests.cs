using System.Globalization;

namespace OpsPortal.E2E;

public sealed class SourcesTests(PortalFixture portal) : BrowserTest(portal)
{
    /// <summary>An admin adds a file source in the UI; lines written to that file show up as accepted and rejected.</summary>
    [Fact]
    public async Task Admin_AddsFileSource_LinesAreIngestedAndCounted()
    {
        var file = Path.Combine(PortalFixture.LogFolder, $"opsportal-e2e-{Guid.NewGuid():N}.log");
        await File.WriteAllTextAsync(file, "");
        try
        {
            await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
            await Page.GotoAsync("/logs/sources");
            await WaitForInteractiveAsync(Page);

            await Page.GetByTestId("source-add").ClickAsync();
            await Page.GetByTestId("source-name").FillAsync("e2e-file");
            await Page.GetByLabel("Path").FillAsync(file);
            await Page.GetByTestId("source-save").ClickAsync();
            await Assertions.Expect(Page.GetByTestId("source-table")).ToContainTextAsync("e2e-file");

            var now = DateTime.UtcNow.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture);
            var lines = Enumerable.Range(1, 25).Select(i => $"10.0.0.{i} - - [{now}] \"GET /e2e/{i} HTTP/1.1\" 200 12 \"-\" \"e2e\"")
                .Append("this is not an access log line");
            await File.AppendAllLinesAsync(file, lines);

            var row = Page.Locator("tr", new() { HasText = "e2e-file" });
            await Assertions.Expect(row.GetByTestId("source-accepted")).ToHaveTextAsync("25", new() { Timeout = 20_000 });
            await row.GetByTestId("source-rejects").ClickAsync();
            await Assertions.Expect(Page.GetByTestId("rejects-panel")).ToContainTextAsync("this is not an access log line");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
