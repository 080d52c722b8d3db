using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Notifications;

/// <summary>
/// Demo mode's notification channel: a Slack-compatible webhook whose URL points at the portal's own receiver
/// (<c>POST /api/demo/webhooks/{token}</c>), which records what arrives. The token in the URL is the secret, as in
/// a real Slack URL; the receiver answers 404 to anything else.
/// </summary>
public sealed class DemoWebhooks(IDbContextFactory<OpsDbContext> dbs, NotificationSecrets secrets, TimeProvider clock)
{
    public const string ChannelName = "demo-webhook";
    public const string ReceiverPath = "/api/demo/webhooks/";
    public const int MaxBody = 65_536;
    private const int Keep = 200;

    /// <summary>Creates the demo channel (and a route for the demo services to it) once; points its URL at <paramref name="portalBase"/>.</summary>
    public async Task EnsureAsync(Uri portalBase, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var channel = await db.Set<NotificationChannel>().SingleOrDefaultAsync(c => c.Name == ChannelName && c.IsDemo, ct);
        var token = channel is not null && TokenOf(secrets.Unprotect(channel.SecretProtected)) is { } existing
            ? existing
            : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var url = new Uri(portalBase, ReceiverPath + token);
        var now = clock.GetUtcNow();
        if (channel is null)
        {
            channel = new NotificationChannel
            {
                Name = ChannelName,
                Kind = ChannelKind.Slack,
                IsDemo = true,
                CreatedBy = "system:demo",
                CreatedAt = now,
                UpdatedBy = "system:demo",
                UpdatedAt = now,
            };
            db.Add(channel);
            await db.SaveChangesAsync(ct);
            if (!await db.Set<NotificationRoute>().AnyAsync(r => !r.IsDefault, ct))
            {
                db.Add(new NotificationRoute
                {
                    Position = 1,
                    Name = "Demo services",
                    Matchers = [new RouteMatcher("service", RouteMatcher.RegexOp, "demo-.*")],
                    ChannelIds = [channel.Id],
                    UpdatedBy = "system:demo",
                    UpdatedAt = now,
                });
            }
        }
        if (secrets.Unprotect(channel.SecretProtected) != url.AbsoluteUri)
        {
            // A node on another port re-points it; every node's receiver writes to the same table.
            channel.SecretProtected = secrets.Protect(url.AbsoluteUri);
            channel.UrlHost = url.Host;
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Records a post to the receiver; false (→ 404) when the token is not a demo channel's.</summary>
    public async Task<bool> ReceiveAsync(string token, string body, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var demos = await db.Set<NotificationChannel>().AsNoTracking().Where(c => c.IsDemo && c.SecretProtected != null).ToListAsync(ct);
        var channel = demos.FirstOrDefault(c => TokenOf(secrets.Unprotect(c.SecretProtected)) is { } t
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(t), Encoding.UTF8.GetBytes(token)));
        if (channel is null)
        {
            return false;
        }
        db.Add(new DemoWebhookReceipt { ChannelId = channel.Id, ReceivedAt = clock.GetUtcNow(), Body = body.Length > MaxBody ? body[..MaxBody] : body });
        await db.SaveChangesAsync(ct);
        await db.Database.ExecuteSqlAsync($"""
            DELETE FROM demo_webhook_receipts WHERE channel_id = {channel.Id}
              AND id < (SELECT min(id) FROM (SELECT id FROM demo_webhook_receipts WHERE channel_id = {channel.Id} ORDER BY id DESC LIMIT {Keep}) newest)
            """, ct);
        return true;
    }

    public async Task<List<DemoWebhookReceipt>> RecentAsync(long channelId, int limit, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Set<DemoWebhookReceipt>().AsNoTracking().Where(r => r.ChannelId == channelId)
            .OrderByDescending(r => r.Id).Take(limit).ToListAsync(ct);
    }

    private static string? TokenOf(string? url) =>
        url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.AbsolutePath.StartsWith(ReceiverPath, StringComparison.Ordinal)
            ? uri.AbsolutePath[ReceiverPath.Length..]
            : null;
}
