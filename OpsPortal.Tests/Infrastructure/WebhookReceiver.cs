using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OpsPortal.Tests.Infrastructure;

/// <summary>One request the receiver got.</summary>
public sealed record ReceivedWebhook(DateTimeOffset At, string Path, string Body, IReadOnlyDictionary<string, string> Headers, int AnsweredWith)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>
/// A real HTTP webhook receiver for tests: Kestrel on a free loopback port that records every request. By default
/// it answers 200; <see cref="FailNext"/> makes the next N requests fail with a status (a receiver that is down for
/// a while), <see cref="Respond"/> sets the answer for good.
/// <code>
/// await using var hook = await WebhookReceiver.StartAsync();
/// … a webhook channel with hook.Url("/slack") …
/// var got = await hook.WaitForAsync(1);
/// </code>
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private int _failuresLeft;
    private int _failStatus = 503;
    private int _status = 200;

    private WebhookReceiver(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    /// <summary>Starts on a free port, or on <paramref name="port"/> (e.g. the port of a receiver stopped to play a server that is down).</summary>
    public static async Task<WebhookReceiver> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseAddress = new Uri(address);
        return receiver;
    }

    /// <summary>The receiver's URL for <paramref name="path"/> (e.g. "/services/T0/B0/secret").</summary>
    public string Url(string path = "/hook") => new Uri(BaseAddress, path).AbsoluteUri;

    /// <summary>The next <paramref name="count"/> requests are answered with <paramref name="status"/> (and recorded).</summary>
    public void FailNext(int count, int status = 503)
    {
        _failStatus = status;
        Interlocked.Exchange(ref _failuresLeft, count);
    }

    public void Respond(int status) => _status = status;

    /// <summary>Runs before each answer (after the request was read and recorded): e.g. hold the answer while a test cuts the database.</summary>
    public Func<Task>? BeforeAnswer { get; set; }

    /// <summary>Waits until at least <paramref name="count"/> requests arrived, then a little longer so a duplicate would show.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(int count, TimeSpan? timeout = null, TimeSpan? settle = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline && _received.Count < count)
        {
            await Task.Delay(50);
        }
        await Task.Delay(settle ?? TimeSpan.FromSeconds(1));
        return Received;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var status = Interlocked.Decrement(ref _failuresLeft) >= 0 ? _failStatus : _status;
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _received.Enqueue(new ReceivedWebhook(DateTimeOffset.UtcNow, context.Request.Path + context.Request.QueryString, body, headers, status));
        if (BeforeAnswer is { } hook)
        {
            await hook();
        }
        context.Response.StatusCode = status;
        await context.Response.WriteAsync(status < 300 ? "ok" : "unavailable");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
