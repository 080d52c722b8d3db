using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OpsPortal.Core;
using OpsPortal.Core.Demo;
using OpsPortal.Core.Notifications;

namespace OpsPortal.Web.Features.Notifications;

/// <summary>
/// Demo mode's built-in webhook receiver. It takes no sign-in because the portal itself posts to it, like any
/// webhook; the random token in its URL (stored encrypted as the demo channel's secret) is what admits a post,
/// exactly as with a Slack URL. Without demo mode, or with any other token, it is a 404.
/// </summary>
public static class DemoWebhookEndpoints
{
    public static IEndpointRouteBuilder MapDemoWebhookReceiver(this IEndpointRouteBuilder app)
    {
        app.MapPost(DemoWebhooks.ReceiverPath + "{token}", ReceiveAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok, NotFound>> ReceiveAsync(string token, HttpRequest request, DemoWebhooks demo, IOptions<DemoOptions> options, CancellationToken ct)
    {
        if (!options.Value.Demo || token.Length != 32)
        {
            return TypedResults.NotFound();
        }
        using var reader = new StreamReader(request.Body);
        var buffer = new char[DemoWebhooks.MaxBody];
        var read = await reader.ReadBlockAsync(buffer, ct);
        return await demo.ReceiveAsync(token, new string(buffer, 0, read), ct) ? TypedResults.Ok() : TypedResults.NotFound();
    }
}

/// <summary>In demo mode, once the server listens, creates the demo channel (pointing at this node's receiver) and its route.</summary>
public sealed class DemoNotificationsSetup(
    IOptions<DemoOptions> options, IServer server, IHostApplicationLifetime lifetime, DemoWebhooks demo,
    BackgroundHealth health, TimeProvider clock, ILogger<DemoNotificationsSetup> logger) : BackgroundLoop(health, clock, logger)
{
    protected override string LoopName => "notifications.demo-setup";

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Demo)
        {
            return;
        }
        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses
            .Select(a => Uri.TryCreate(a.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal), UriKind.Absolute, out var u) ? u : null)
            .FirstOrDefault(u => u is { Scheme: "http" });
        if (address is null)
        {
            return; // no plain-HTTP listener to post to (e.g. the in-memory test server)
        }
        var host = address.Host is "0.0.0.0" or "[::]" or "::" or "localhost" ? "127.0.0.1" : address.Host;
        await demo.EnsureAsync(new UriBuilder("http", host, address.Port).Uri, stoppingToken);
        MarkHealthy();
    }
}
