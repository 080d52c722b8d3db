using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Deploys.Config;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Deploys;

public sealed class DeployWebhookTests : ApiTestBase
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<string> _received = new();
    private DeployFixture _deploys = null!;

    protected override IReadOnlyDictionary<string, string>? Settings => _deploys.Settings();

    public override async Task InitializeAsync()
    {
        var port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/hook/");
        _listener.Start();
        _ = ServeAsync();
        _deploys = new DeployFixture(webhook: $"http://127.0.0.1:{port}/hook/");
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _listener.Close();
        _deploys.Dispose();
    }

    [Fact]
    public async Task StartAndFailure_PostSlackCompatibleText_WithWhoWhatVersionsAndDuration()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var response = await client.PostAsync("/api/deploys", JsonContent(new { service = "web", environment = "staging", version = "2.0-bad" }));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        for (var i = 0; i < 600 && _received.Count < 2; i++)
        {
            await Task.Delay(100);
        }

        var texts = _received.Select(b => JsonDocument.Parse(b).RootElement.GetProperty("text").GetString()!).ToList();
        Assert.Equal(2, texts.Count);
        Assert.Contains(texts, t => t.Contains("Deploy #1 of web to staging started by admin@test.local: (none) → 2.0-bad", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("Deploy #1 of web to staging failed by admin@test.local: (none) → 2.0-bad in", StringComparison.Ordinal)
            && t.Contains("(exit code 3)", StringComparison.Ordinal));
    }

    private static StringContent JsonContent(object body) =>
        new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");

    private async Task ServeAsync()
    {
        try
        {
            while (_listener.IsListening)
            {
                var context = await _listener.GetContextAsync();
                using (var reader = new StreamReader(context.Request.InputStream))
                {
                    _received.Enqueue(await reader.ReadToEndAsync());
                }
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
        {
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

public sealed class DeployConfigReloadTests : IDisposable
{
    private readonly DeployFixture _fixture = new();

    [Fact]
    public async Task EditedFile_IsReloaded_BrokenEditKeepsLastGoodConfigAndReportsProblem()
    {
        using var store = new DeployConfigStore(Options.Create(new DeployOptions { ConfigPath = _fixture.ConfigPath }),
            NullLogger<DeployConfigStore>.Instance, TimeProvider.System);
        Assert.NotNull(store.Current.Config!.Find("web", "staging"));

        await File.WriteAllTextAsync(_fixture.ConfigPath, "services:\n  api:\n    environments:\n      prod:\n        deploy: deploy.sh\n");
        await WaitAsync(() => store.Current.Config?.Find("api", "prod") is not null);
        Assert.Null(store.Current.Config!.Find("web", "staging"));

        await File.WriteAllTextAsync(_fixture.ConfigPath, "services:\n  api:\n    environments:\n      prod:\n        deploy: gone.sh\n");
        // An editor's write is not atomic: a half-written file may be read (and refused) on the way.
        await WaitAsync(() => store.Current.Problems.Any(p => p.Message.Contains("gone.sh", StringComparison.Ordinal)));
        Assert.Equal(5, store.Current.Problems[0].Line);
        Assert.NotNull(store.Current.Config!.Find("api", "prod"));
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(50);
        }
        Assert.True(condition(), "the configuration was not reloaded within 5 s");
    }

    public void Dispose() => _fixture.Dispose();
}
