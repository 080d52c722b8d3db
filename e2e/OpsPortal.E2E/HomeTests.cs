using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Tickets;

namespace OpsPortal.E2E;

/// <summary>Home is live and legible: the Tickets card follows changes without a reload; the requests chart has axes.</summary>
public sealed class HomeTests(PortalFixture portal) : BrowserTest(portal)
{
    [Fact]
    public async Task TicketsCard_NewUnassignedP1_AppearsWithoutReload()
    {
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);
        var p1 = Page.GetByTestId("tickets-card");
        await Assertions.Expect(p1).ToBeVisibleAsync();
        var title = $"Payments queue stuck {Guid.NewGuid():N}"[..30];

        // Another user on another node would do the same: the card hears it through the events spine.
        await using var scope = Portal.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<TicketService>().CreateAsync(
            new NewTicket(title, Priority: TicketPriority.P1), new Actor("someone@e2e.test", Roles.Engineer));
        Assert.True(created.Succeeded, created.Refusal?.Message);

        await Assertions.Expect(p1).ToContainTextAsync(title);
    }

    [Fact]
    public async Task RequestsChart_HasValueAndTimeAxes()
    {
        await IngestAsync();
        await SignInAsync(PortalFixture.AdminEmail, PortalFixture.AdminPassword);

        var chart = Page.GetByTestId("logs-card-chart");
        await Assertions.Expect(chart.Locator(".ts-yaxis span").First).ToBeVisibleAsync();
        await Assertions.Expect(chart.Locator(".ts-xaxis span").First).ToBeVisibleAsync();
        await Assertions.Expect(chart.Locator(".ts-xaxis")).ToContainTextAsync(":");
        await Page.GetByTestId("logs-card").ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "screenshots", "Home-requests-chart.png") });
    }

    private sealed record TokenBody(string Token);

    private async Task IngestAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Portal.BaseUrl) };
        var token = await (await http.PostAsJsonAsync("/api/auth/tokens",
            new { email = PortalFixture.AdminEmail, password = PortalFixture.AdminPassword, name = "e2e-home" })).Content.ReadFromJsonAsync<TokenBody>();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token!.Token);
        var body = new StringBuilder();
        for (var i = 0; i < 6; i++)
        {
            var at = DateTime.UtcNow.AddMinutes(-5 * i - 1).ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture);
            body.Append(CultureInfo.InvariantCulture, $"10.0.0.{i} - - [{at}] \"GET /e2e-home/{i} HTTP/1.1\" {(i == 2 ? 503 : 200)} 512 \"-\" \"curl\"\n");
        }
        var response = await http.PostAsync("/api/logs?format=combined&host=e2e-home", new StringContent(body.ToString(), Encoding.UTF8, "text/plain"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
