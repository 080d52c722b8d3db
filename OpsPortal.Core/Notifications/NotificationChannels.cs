using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Notifications;

/// <summary>
/// A channel as everyone may see it: never a secret. A webhook shows only its host; a password only whether it is set.
/// </summary>
public sealed record ChannelView(
    long Id, string Name, string Kind, bool Enabled, bool IsDemo, string? WebhookHost, bool SecretSet,
    string? SmtpHost, int? SmtpPort, string SmtpTls, string? SmtpUsername, bool SkipCertificateCheck,
    string? EmailFrom, IReadOnlyList<string> EmailTo, bool PersonalMail, string UpdatedBy, DateTimeOffset UpdatedAt,
    ChannelStats Stats);

/// <summary>The last day of a channel's deliveries, for the list.</summary>
public sealed record ChannelStats(int Sent24h, int Failed24h, int Pending, DateTimeOffset? LastAt, string? LastStatus);

/// <summary>
/// What a form or the API sends to create or change a channel. On update, a null secret (<see cref="WebhookUrl"/>,
/// <see cref="SmtpPassword"/>) keeps the stored one; an empty <see cref="SmtpPassword"/> removes it.
/// </summary>
public sealed record ChannelRequest
{
    public string? Name { get; init; }

    /// <summary>slack, webhook or email; fixed once created.</summary>
    public string? Kind { get; init; }
    public bool? Enabled { get; init; }
    public string? WebhookUrl { get; init; }
    public string? SmtpHost { get; init; }
    public int? SmtpPort { get; init; }

    /// <summary>none, starttls (default) or tls.</summary>
    public string? SmtpTls { get; init; }
    public string? SmtpUsername { get; init; }
    public string? SmtpPassword { get; init; }
    public bool? SkipCertificateCheck { get; init; }
    public string? EmailFrom { get; init; }
    public IReadOnlyList<string>? EmailTo { get; init; }
    public bool? PersonalMail { get; init; }

    // Records print their members: never a secret.
    public override string ToString() => $"ChannelRequest {{ Name = {Name}, Kind = {Kind} }}";
}

/// <summary>One row of a channel's delivery log.</summary>
public sealed record DeliveryLogEntry(
    long Id, DateTimeOffset CreatedAt, string Subject, string Severity, string Status, int Attempts, int? ResponseCode,
    string? Error, DateTimeOffset? FinishedAt, DateTimeOffset? NextAttemptAt, string? Destination, bool IsTest,
    string SubjectType, string SubjectId);

public sealed record DeliveryAttemptView(int Number, DateTimeOffset StartedAt, int DurationMs, bool Succeeded, int? ResponseCode, string? Error, string Node);

/// <summary>Where one delivery stands: its status, how many attempts were made, the last error.</summary>
public sealed record DeliveryState(DeliveryStatus Status, int Attempts, string? LastError);

public sealed record DeliveryDetail(DeliveryLogEntry Delivery, long? ChannelId, string Kind, IReadOnlyList<DeliveryAttemptView> Attempts);

/// <summary>Channels: list, create, change, delete, send a test message, and each channel's delivery log.</summary>
public sealed class NotificationChannels(
    IDbContextFactory<OpsDbContext> dbs, NotificationSecrets secrets, NotificationOutbox outbox, EventLog events, TimeProvider clock)
{
    /// <summary>
    /// The name of every channel (or of those in <paramref name="ids"/>), by id, on the caller's context: other features
    /// (escalation policies, pages) name channels without reading this feature's table.
    /// </summary>
    public static async Task<Dictionary<long, string>> NamesAsync(OpsDbContext db, IReadOnlyCollection<long>? ids, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var query = db.Set<NotificationChannel>().AsNoTracking();
        if (ids is not null)
        {
            query = query.Where(c => ids.Contains(c.Id));
        }
        return await query.ToDictionaryAsync(c => c.Id, c => c.Name, ct);
    }

    /// <summary>Where the deliveries in <paramref name="ids"/> stand, by id, on the caller's context (a page shows its deliveries).</summary>
    public static async Task<Dictionary<long, DeliveryState>> StatesAsync(OpsDbContext db, IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return await db.Set<NotificationDelivery>().AsNoTracking().Where(d => ids.Contains(d.Id))
            .ToDictionaryAsync(d => d.Id, d => new DeliveryState(d.Status, d.Attempts, d.LastError), ct);
    }

    public async Task<List<ChannelView>> ListAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var channels = await db.Set<NotificationChannel>().AsNoTracking().OrderBy(c => c.Name).ToListAsync(ct);
        var stats = await StatsAsync(db, null, ct);
        return channels.Select(c => View(c, stats.GetValueOrDefault(c.Id))).ToList();
    }

    public async Task<ChannelView?> GetAsync(long id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var channel = await db.Set<NotificationChannel>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct);
        return channel is null ? null : View(channel, (await StatsAsync(db, id, ct)).GetValueOrDefault(id));
    }

    public async Task<Result<ChannelView>> CreateAsync(ChannelRequest request, Actor actor, CancellationToken ct)
    {
        if (!actor.Has(Roles.Engineer))
        {
            return Refusal.Forbidden("Creating a channel needs the Engineer role.");
        }
        var now = clock.GetUtcNow();
        var channel = new NotificationChannel { Name = "", CreatedBy = actor.Name, CreatedAt = now, UpdatedBy = actor.Name, UpdatedAt = now };
        if (Apply(channel, request, creating: true) is { } refusal)
        {
            return refusal;
        }
        await using var db = await dbs.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await db.Set<NotificationChannel>().AnyAsync(c => c.Name == channel.Name, ct))
        {
            return NameTaken(channel.Name);
        }
        if (channel.PersonalMail)
        {
            await ClearPersonalMailAsync(db, null, ct);
        }
        db.Add(channel);
        await db.SaveChangesAsync(ct);
        events.Append(db, actor.Name, NotificationEventKinds.ChannelCreated, NotificationEventKinds.ChannelSubjectType, Id(channel.Id),
            $"Notification channel {channel.Name} created ({Describe(channel)})");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return View(channel, null);
    }

    public async Task<Result<ChannelView>> UpdateAsync(long id, ChannelRequest request, Actor actor, CancellationToken ct)
    {
        if (!actor.Has(Roles.Engineer))
        {
            return Refusal.Forbidden("Changing a channel needs the Engineer role.");
        }
        await using var db = await dbs.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var channel = await db.Set<NotificationChannel>().SingleOrDefaultAsync(c => c.Id == id, ct);
        if (channel is null)
        {
            return Refusal.NotFound($"There is no notification channel {id}.");
        }
        if (Apply(channel, request, creating: false) is { } refusal)
        {
            return refusal;
        }
        if (await db.Set<NotificationChannel>().AnyAsync(c => c.Name == channel.Name && c.Id != id, ct))
        {
            return NameTaken(channel.Name);
        }
        if (channel.PersonalMail)
        {
            await ClearPersonalMailAsync(db, id, ct);
        }
        channel.UpdatedBy = actor.Name;
        channel.UpdatedAt = clock.GetUtcNow();
        var changed = db.Entry(channel).Properties.Where(p => p.IsModified).Select(p => p.Metadata.Name)
            .Where(n => n is not nameof(NotificationChannel.UpdatedAt) and not nameof(NotificationChannel.UpdatedBy))
            .Select(n => n == nameof(NotificationChannel.SecretProtected) ? channel.Kind == ChannelKind.Email ? "SmtpPassword" : "WebhookUrl" : n)
            .ToList();
        events.Append(db, actor.Name, NotificationEventKinds.ChannelUpdated, NotificationEventKinds.ChannelSubjectType, Id(id),
            $"Notification channel {channel.Name} changed: {(changed.Count == 0 ? "nothing" : string.Join(", ", changed))}",
            payload: new { changed });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (await GetAsync(id, ct))!;
    }

    public async Task<Result> DeleteAsync(long id, Actor actor, CancellationToken ct)
    {
        if (!actor.Has(Roles.Engineer))
        {
            return Refusal.Forbidden("Deleting a channel needs the Engineer role.");
        }
        await using var db = await dbs.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var channel = await db.Set<NotificationChannel>().SingleOrDefaultAsync(c => c.Id == id, ct);
        if (channel is null)
        {
            return Refusal.NotFound($"There is no notification channel {id}.");
        }
        // Routes keep working without it; its deliveries and their log go with it.
        await db.Database.ExecuteSqlAsync($"UPDATE notification_routes SET channel_ids = array_remove(channel_ids, {id}) WHERE {id} = ANY(channel_ids)", ct);
        db.Remove(channel);
        events.Append(db, actor.Name, NotificationEventKinds.ChannelDeleted, NotificationEventKinds.ChannelSubjectType, Id(id),
            $"Notification channel {channel.Name} deleted");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return Result.Ok;
    }

    /// <summary>Queues a test message to the channel (even a disabled one) and returns its delivery id; the log shows how it went.</summary>
    public async Task<Result<long>> SendTestAsync(long id, Actor actor, CancellationToken ct)
    {
        if (!actor.Has(Roles.Engineer))
        {
            return Refusal.Forbidden("Sending a test message needs the Engineer role.");
        }
        await using var db = await dbs.CreateDbContextAsync(ct);
        var channel = await db.Set<NotificationChannel>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct);
        if (channel is null)
        {
            return Refusal.NotFound($"There is no notification channel {id}.");
        }
        var message = new NotificationMessage($"Test message for {channel.Name}",
            $"{actor.Name} sent this test message from OpsPortal at {clock.GetUtcNow():yyyy-MM-dd HH:mm:ss} UTC. If you can read it, the channel works.",
            NotificationSeverity.Info, new Dictionary<string, string> { ["channel"] = channel.Name },
            [new NotificationLink("Channel", $"/notifications/channels/{id}")], NotificationEventKinds.ChannelSubjectType, Id(id));
        var deliveryId = await outbox.EnqueueTestAsync(db, channel, message, ct);
        await db.SaveChangesAsync(ct);
        return deliveryId;
    }

    /// <summary>The channel's deliveries, newest first (<paramref name="before"/>: a delivery id, for the next page).</summary>
    public async Task<List<DeliveryLogEntry>> DeliveriesAsync(long channelId, int limit, long? before, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var query = db.Set<NotificationDelivery>().AsNoTracking().Where(d => d.ChannelId == channelId);
        if (before is { } b)
        {
            query = query.Where(d => d.Id < b);
        }
        var rows = await query.OrderByDescending(d => d.Id).Take(Math.Clamp(limit, 1, 500)).ToListAsync(ct);
        return rows.Select(Entry).ToList();
    }

    public async Task<DeliveryDetail?> DeliveryAsync(long deliveryId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var d = await db.Set<NotificationDelivery>().AsNoTracking().SingleOrDefaultAsync(x => x.Id == deliveryId, ct);
        if (d is null)
        {
            return null;
        }
        var attempts = await db.Set<NotificationAttempt>().AsNoTracking().Where(a => a.DeliveryId == deliveryId)
            .OrderBy(a => a.Number).ThenBy(a => a.Id)
            .Select(a => new DeliveryAttemptView(a.Number, a.StartedAt, a.DurationMs, a.Succeeded, a.ResponseCode, a.Error, a.Node))
            .ToListAsync(ct);
        return new DeliveryDetail(Entry(d), d.ChannelId, KindName(d.Kind), attempts);
    }

    internal static DeliveryLogEntry Entry(NotificationDelivery d) => new(d.Id, d.CreatedAt, d.Subject, d.Severity, d.Status.ToString().ToLowerInvariant(),
        d.Attempts, d.LastResponseCode, d.LastError, d.FinishedAt, d.Status == DeliveryStatus.Pending ? d.NextAttemptAt : null,
        d.DestinationLabel, d.IsTest, d.SubjectType, d.SubjectId);

    internal static string KindName(ChannelKind kind) => kind.ToString().ToLowerInvariant();

    private async Task<Dictionary<long, ChannelStats>> StatsAsync(OpsDbContext db, long? channelId, CancellationToken ct)
    {
        var since = clock.GetUtcNow().AddDays(-1);
        var query = db.Set<NotificationDelivery>().AsNoTracking().Where(d => d.ChannelId != null && (d.CreatedAt >= since || d.Status == DeliveryStatus.Pending));
        if (channelId is { } id)
        {
            query = query.Where(d => d.ChannelId == id);
        }
        var rows = await query.GroupBy(d => d.ChannelId!.Value).Select(g => new
        {
            Id = g.Key,
            Sent = g.Count(d => d.Status == DeliveryStatus.Sent && d.CreatedAt >= since),
            Failed = g.Count(d => d.Status == DeliveryStatus.Failed && d.CreatedAt >= since),
            Pending = g.Count(d => d.Status == DeliveryStatus.Pending || d.Status == DeliveryStatus.Sending),
            LastId = g.Max(d => d.Id),
        }).ToListAsync(ct);
        var lastIds = rows.Select(r => r.LastId).ToList();
        var last = await db.Set<NotificationDelivery>().AsNoTracking().Where(d => lastIds.Contains(d.Id))
            .Select(d => new { d.Id, d.CreatedAt, d.Status }).ToDictionaryAsync(d => d.Id, ct);
        return rows.ToDictionary(r => r.Id, r => new ChannelStats(r.Sent, r.Failed, r.Pending,
            last.GetValueOrDefault(r.LastId)?.CreatedAt, last.GetValueOrDefault(r.LastId)?.Status.ToString().ToLowerInvariant()));
    }

    private static ChannelView View(NotificationChannel c, ChannelStats? stats) => new(
        c.Id, c.Name, KindName(c.Kind), c.Enabled, c.IsDemo, c.Kind == ChannelKind.Email ? null : c.UrlHost, c.SecretProtected is not null,
        c.SmtpHost, c.SmtpPort, TlsName(c.SmtpTls), c.SmtpUsername, c.SkipCertificateCheck, c.EmailFrom, c.EmailTo, c.PersonalMail,
        c.UpdatedBy, c.UpdatedAt, stats ?? new ChannelStats(0, 0, 0, null, null));

    internal static string TlsName(SmtpTls tls) => tls switch
    {
        SmtpTls.None => "none",
        SmtpTls.Implicit => "tls",
        _ => "starttls",
    };

    private static string Describe(NotificationChannel c) => c.Kind switch
    {
        ChannelKind.Email => $"email via {c.SmtpHost}:{c.SmtpPort} to {string.Join(", ", c.EmailTo)}",
        ChannelKind.Slack => $"Slack-compatible webhook to {c.UrlHost}",
        _ => $"JSON webhook to {c.UrlHost}",
    };

    private static async Task ClearPersonalMailAsync(OpsDbContext db, long? except, CancellationToken ct) =>
        await db.Set<NotificationChannel>().Where(c => c.PersonalMail && c.Id != except)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.PersonalMail, false), ct);

    private static Refusal NameTaken(string name) =>
        Refusal.Conflict($"A notification channel named {name} exists already.", "Name taken").With("errors",
            new Dictionary<string, string> { ["name"] = $"A channel named {name} exists already." });

    /// <summary>Checks the request and copies it onto <paramref name="c"/>; a refusal names every bad field.</summary>
    private Refusal? Apply(NotificationChannel c, ChannelRequest r, bool creating)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var name = r.Name?.Trim() ?? "";
        if (name.Length is 0 or > NotificationRules.MaxName)
        {
            errors["name"] = $"A name of 1 to {NotificationRules.MaxName} characters is required.";
        }
        ChannelKind? kind = (r.Kind?.Trim().ToLowerInvariant()) switch
        {
            "slack" => ChannelKind.Slack,
            "webhook" or "json" => ChannelKind.Webhook,
            "email" => ChannelKind.Email,
            null or "" when !creating => c.Kind,
            _ => null,
        };
        if (kind is null)
        {
            errors["kind"] = "The kind must be slack, webhook or email.";
            return Refusal.InvalidFields(errors);
        }
        if (!creating && kind != c.Kind)
        {
            errors["kind"] = "A channel's kind cannot change; create a new channel instead.";
        }
        c.Name = name;
        c.Kind = kind.Value;
        c.Enabled = r.Enabled ?? c.Enabled;
        if (kind == ChannelKind.Email)
        {
            ApplyEmail(c, r, creating, errors);
        }
        else
        {
            if (r.WebhookUrl is not null || creating)
            {
                if (NotificationRules.WebhookUrl(r.WebhookUrl, out var problem) is { } uri)
                {
                    c.SecretProtected = secrets.Protect(uri.AbsoluteUri);
                    c.UrlHost = uri.Host;
                }
                else
                {
                    errors["webhookUrl"] = problem!;
                }
            }
            if (r.PersonalMail == true)
            {
                errors["personalMail"] = "Only an email channel can send personal mail.";
            }
        }
        return errors.Count == 0 ? null : Refusal.InvalidFields(errors);
    }

    private void ApplyEmail(NotificationChannel c, ChannelRequest r, bool creating, Dictionary<string, string> errors)
    {
        var host = r.SmtpHost?.Trim() ?? "";
        if (host.Length is 0 or > 255 || Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            errors["smtpHost"] = "The SMTP server must be a host name or IP address (no scheme, no port).";
        }
        SmtpTls? tls = (r.SmtpTls?.Trim().ToLowerInvariant()) switch
        {
            null or "" or "starttls" => SmtpTls.StartTls,
            "none" => SmtpTls.None,
            "tls" or "ssl" or "implicit" => SmtpTls.Implicit,
            _ => null,
        };
        if (tls is null)
        {
            errors["smtpTls"] = "TLS must be none, starttls or tls.";
        }
        if (r.SmtpPort is { } port && port is < 1 or > 65535)
        {
            errors["smtpPort"] = "The port must be between 1 and 65535.";
        }
        var from = r.EmailFrom?.Trim() ?? "";
        if (!NotificationRules.EmailAddress().IsMatch(from))
        {
            errors["emailFrom"] = "The sender must be an email address.";
        }
        var to = (r.EmailTo ?? []).Select(a => a.Trim()).Where(a => a.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (to.Count > NotificationRules.MaxRecipients || to.Any(a => !NotificationRules.EmailAddress().IsMatch(a)))
        {
            errors["emailTo"] = $"Recipients must be up to {NotificationRules.MaxRecipients} email addresses.";
        }
        else if (to.Count == 0 && r.PersonalMail != true)
        {
            errors["emailTo"] = "At least one recipient is needed (or mark the channel for personal mail only).";
        }
        var username = r.SmtpUsername?.Trim();
        if (username is { Length: > 255 })
        {
            errors["smtpUsername"] = "The user name is longer than 255 characters.";
        }
        if (r.SmtpPassword is { Length: > 1000 })
        {
            errors["smtpPassword"] = "The password is longer than 1000 characters.";
        }
        c.SmtpHost = host;
        c.SmtpTls = tls ?? SmtpTls.StartTls;
        c.SmtpPort = r.SmtpPort ?? NotificationSender.DefaultPort(c.SmtpTls);
        c.EmailFrom = from;
        c.EmailTo = to;
        c.SmtpUsername = string.IsNullOrEmpty(username) ? null : username;
        c.SkipCertificateCheck = r.SkipCertificateCheck ?? false;
        c.PersonalMail = r.PersonalMail ?? c.PersonalMail;
        c.UrlHost = null;
        if (r.SmtpPassword is not null)
        {
            c.SecretProtected = r.SmtpPassword.Length == 0 ? null : secrets.Protect(r.SmtpPassword);
        }
        else if (creating)
        {
            c.SecretProtected = null;
        }
    }

    private static string Id(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
