using System.Net.Http.Json;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace OpsPortal.Core.Notifications;

/// <summary>The result of one attempt. <see cref="Permanent"/>: retrying cannot help (a 4xx answer, a rejected recipient).</summary>
internal sealed record SendOutcome(bool Succeeded, bool Permanent, int? ResponseCode, string? Error, TimeSpan Duration, TimeSpan? RetryAfter = null)
{
    public static SendOutcome Refused(string error) => new(false, true, null, error, TimeSpan.Zero);
}

/// <summary>Sends one delivery over HTTP or SMTP. Errors become words fit for the delivery log, never with a secret in them.</summary>
internal sealed class NotificationSender(IHttpClientFactory http, NotificationSecrets secrets, IOptions<NotificationsOptions> options, TimeProvider clock)
{
    public const string HttpClientName = "notifications";
    private const int MaxErrorLength = 500;

    public async Task<SendOutcome> SendAsync(NotificationDelivery delivery, NotificationChannel? channel, CancellationToken ct)
    {
        if (channel is { Enabled: false } && !delivery.IsTest)
        {
            return SendOutcome.Refused($"Channel {channel.Name} is disabled.");
        }
        return delivery.Kind == ChannelKind.Email
            ? await SendEmailAsync(delivery, channel, ct)
            : await PostAsync(delivery, channel, ct);
    }

    private async Task<SendOutcome> PostAsync(NotificationDelivery d, NotificationChannel? channel, CancellationToken ct)
    {
        var url = secrets.Unprotect(d.DestinationProtected ?? channel?.SecretProtected);
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return SendOutcome.Refused("The webhook URL cannot be decrypted (the data-protection keys changed): enter it again on the channel.");
        }
        var publicUrl = options.Value.PublicUrl;
        var body = d.Kind == ChannelKind.Slack ? NotificationFormat.Slack(d, publicUrl) : NotificationFormat.Json(d, publicUrl);
        var started = clock.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.WebhookTimeout);
        try
        {
            using var client = http.CreateClient(HttpClientName);
            using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = JsonContent.Create(body) };
            request.Headers.Add("X-OpsPortal-Delivery", d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var response = await client.SendAsync(request, timeout.Token);
            var code = (int)response.StatusCode;
            var elapsed = clock.GetElapsedTime(started);
            if (response.IsSuccessStatusCode)
            {
                return new SendOutcome(true, false, code, null, elapsed);
            }
            // 4xx means the request itself is wrong (a revoked hook, a bad body): sending it again will not help.
            var permanent = code is >= 400 and < 500 and not 408 and not 429;
            var retryAfter = response.Headers.RetryAfter?.Delta;
            return new SendOutcome(false, permanent, code, $"HTTP {code} {response.ReasonPhrase}".TrimEnd(), elapsed, retryAfter);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new SendOutcome(false, false, null, $"No answer within {options.Value.WebhookTimeout.TotalSeconds:0.#} s.", clock.GetElapsedTime(started));
        }
        catch (HttpRequestException ex)
        {
            return new SendOutcome(false, false, null, Redact(Describe(ex), uri), clock.GetElapsedTime(started));
        }
    }

    private async Task<SendOutcome> SendEmailAsync(NotificationDelivery d, NotificationChannel? channel, CancellationToken ct)
    {
        if (channel is null || string.IsNullOrEmpty(channel.SmtpHost) || string.IsNullOrEmpty(channel.EmailFrom))
        {
            return SendOutcome.Refused("The email channel has no SMTP server or sender address.");
        }
        var recipients = d.Recipient is { } r ? [r] : channel.EmailTo;
        if (recipients.Count == 0)
        {
            return SendOutcome.Refused($"Channel {channel.Name} has no recipients.");
        }
        string? password = null;
        if (channel.SecretProtected is not null && (password = secrets.Unprotect(channel.SecretProtected)) is null)
        {
            return SendOutcome.Refused("The SMTP password cannot be decrypted (the data-protection keys changed): enter it again on the channel.");
        }
        var message = BuildEmail(d, channel, recipients);
        var started = clock.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.SmtpTimeout);
        using var client = new SmtpClient { Timeout = (int)options.Value.SmtpTimeout.TotalMilliseconds };
        if (channel.SkipCertificateCheck)
        {
            client.ServerCertificateValidationCallback = (_, _, _, _) => true;
        }
        try
        {
            var tls = channel.SmtpTls switch
            {
                SmtpTls.None => SecureSocketOptions.None,
                SmtpTls.Implicit => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.StartTls,
            };
            await client.ConnectAsync(channel.SmtpHost, channel.SmtpPort ?? DefaultPort(channel.SmtpTls), tls, timeout.Token);
            if (!string.IsNullOrEmpty(channel.SmtpUsername))
            {
                await client.AuthenticateAsync(channel.SmtpUsername, password ?? "", timeout.Token);
            }
            await client.SendAsync(message, timeout.Token);
            await client.DisconnectAsync(true, timeout.Token);
            return new SendOutcome(true, false, 250, null, clock.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new SendOutcome(false, false, null, $"The SMTP server did not finish within {options.Value.SmtpTimeout.TotalSeconds:0.#} s.", clock.GetElapsedTime(started));
        }
        catch (SmtpCommandException ex)
        {
            // 5xx replies are final (a recipient that does not exist, a message refused); 4xx are "try later".
            var code = (int)ex.StatusCode;
            return new SendOutcome(false, code >= 500, code, Cut($"SMTP {code}: {ex.Message}", password), clock.GetElapsedTime(started));
        }
        catch (Exception ex) when (ex is SmtpProtocolException or AuthenticationException or SslHandshakeException or SocketException or IOException
                                      or ServiceNotConnectedException or ServiceNotAuthenticatedException)
        {
            return new SendOutcome(false, false, null, Cut(Describe(ex), password), clock.GetElapsedTime(started));
        }
    }

    internal static int DefaultPort(SmtpTls tls) => tls switch
    {
        SmtpTls.None => 25,
        SmtpTls.Implicit => 465,
        _ => 587,
    };

    private MimeMessage BuildEmail(NotificationDelivery d, NotificationChannel channel, IEnumerable<string> recipients)
    {
        var publicUrl = options.Value.PublicUrl;
        var message = new MimeMessage { Subject = NotificationFormat.EmailSubject(d) };
        message.From.Add(MailboxAddress.Parse(channel.EmailFrom!));
        foreach (var to in recipients)
        {
            message.To.Add(MailboxAddress.Parse(to));
        }
        var domain = message.From.Mailboxes.First().Domain;
        // One Message-Id per delivery: if a node dies after sending and the delivery is sent again, mail clients
        // show it once. Messages about one thing (DedupKey) thread together.
        message.MessageId = $"notification-{d.Id}@{domain}";
        if (d.DedupKey is { } key)
        {
            message.References.Add($"thread-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)))[..32]}@{domain}");
        }
        message.Headers.Add("X-OpsPortal-Delivery", d.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        message.Headers.Add("X-OpsPortal-Severity", d.Severity);
        message.Body = new BodyBuilder
        {
            TextBody = NotificationFormat.EmailText(d, publicUrl),
            HtmlBody = NotificationFormat.EmailHtml(d, publicUrl),
        }.ToMessageBody();
        return message;
    }

    private static string Describe(Exception ex)
    {
        var message = ex.Message;
        if (ex.InnerException is { } inner && !string.IsNullOrEmpty(inner.Message) && !message.Contains(inner.Message, StringComparison.Ordinal))
        {
            message += " (" + inner.Message + ")";
        }
        // MailKit's TLS errors are pages of advice; the first line says what happened.
        var firstLine = message.Split('\n', 2)[0].Trim();
        return $"{ex.GetType().Name}: {firstLine}";
    }

    /// <summary>Removes the secret parts of a webhook URL (its path and query) from an error text.</summary>
    internal static string Redact(string error, Uri url)
    {
        var redacted = error.Replace(url.AbsoluteUri, $"{url.Scheme}://{url.Authority}/…", StringComparison.OrdinalIgnoreCase);
        if (url.PathAndQuery.Length > 1)
        {
            redacted = redacted.Replace(url.PathAndQuery, "/…", StringComparison.OrdinalIgnoreCase);
        }
        return Cut(redacted, null);
    }

    private static string Cut(string error, string? secret)
    {
        if (!string.IsNullOrEmpty(secret))
        {
            error = error.Replace(secret, "••••", StringComparison.Ordinal);
        }
        return error.Length <= MaxErrorLength ? error : error[..(MaxErrorLength - 1)] + "…";
    }
}
