using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using OpsPortal.Core.Deploys.Running;
using OpsPortal.Core.Notifications;
using OpsPortal.Tests.Deploys;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Security;

/// <summary>
/// A webhook URL is a secret (whoever has it can post into the team's channel). The default
/// HttpClient logging writes every request's URL at Information level, so no client the portal
/// creates may keep it: not the deploy webhook's, not the notifications', not one added later.
/// </summary>
public sealed class OutboundHttpLoggingTests : ApiTestBase
{
    private const string HookSecret = "T0-B0-SeCrEt-7d41e9";
    private readonly CapturedLogs _logs = new();
    private WebhookReceiver _hook = null!;
    private DeployFixture _deploys = null!;

    protected override IReadOnlyDictionary<string, string>? Settings => _deploys.Settings();

    protected override void ConfigureHost(IWebHostBuilder builder) =>
        builder.UseSetting("Logging:LogLevel:Default", "Trace").ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs));

    public override async Task InitializeAsync()
    {
        _hook = await WebhookReceiver.StartAsync();
        _deploys = new DeployFixture(webhook: _hook.Url($"/services/{HookSecret}"));
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _hook.DisposeAsync();
        _deploys.Dispose();
    }

    [Fact]
    public async Task DeployWebhook_PostedOnStartAndEnd_UrlInNoLogLine()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var response = await client.PostAsJsonAsync("/api/deploys", new { service = "web", environment = "staging", version = "2.0" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        for (var i = 0; i < 600 && _hook.Received.Count < 2; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal(2, _hook.Received.Count);
        Assert.NotEmpty(_logs.Lines);
        Assert.DoesNotContain(_logs.Lines, l => l.Contains(HookSecret, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(DeployWebhook.HttpClientName)]
    [InlineData(NotificationSender.HttpClientName)]
    [InlineData("a-client-added-later")]
    public async Task NamedHttpClient_SendsARequest_UrlInNoLogLine(string name)
    {
        using var client = Factory.Services.GetRequiredService<IHttpClientFactory>().CreateClient(name);

        using var response = await client.PostAsJsonAsync(_hook.Url($"/services/{HookSecret}"), new { text = "hello" });

        Assert.True(response.IsSuccessStatusCode);
        Assert.DoesNotContain(_logs.Lines, l => l.Contains(HookSecret, StringComparison.Ordinal));
    }
}
