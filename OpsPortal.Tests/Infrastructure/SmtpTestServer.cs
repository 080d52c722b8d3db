using System.Net.Http.Json;
using MimeKit;

namespace OpsPortal.Tests.Infrastructure;

/// <summary>A message the real SMTP server received, parsed from its raw source.</summary>
public sealed record ReceivedMail(string Id, IReadOnlyList<string> To, string Subject, string? Text, string? Html, MimeMessage Message)
{
    public string? Header(string name) => Message.Headers[name];
}

/// <summary>
/// The real SMTP server of the tests: smtp4dev, started by ./test.sh (scripts/smtp4dev.sh) with STARTTLS on a
/// self-signed certificate and one login. Tests send through it like any SMTP client and read what arrived
/// through its HTTP API. The server is shared by every test: give each test its own recipient
/// (<see cref="NewRecipient"/>) and look only at mail to it.
/// <code>
/// var to = SmtpTestServer.NewRecipient();
/// … configure an email channel with SmtpTestServer.Host/Port (and User/Password), recipient `to` …
/// var mail = Assert.Single(await SmtpTestServer.WaitForMailAsync(to, 1));
/// </code>
/// </summary>
public static class SmtpTestServer
{
    private static readonly HttpClient Api = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static string Host => Endpoint.Split(':')[0];
    public static int Port => int.Parse(Endpoint.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The one user the server accepts for AUTH (any other password is refused with 535).</summary>
    public static string User => Login.Split(':', 2)[0];
    public static string Password => Login.Split(':', 2)[1];

    private static string Endpoint => Setting("OPSPORTAL_TEST_SMTP");
    private static string Login => Setting("OPSPORTAL_TEST_SMTP_LOGIN");
    private static Uri ApiUrl => new(Setting("OPSPORTAL_TEST_SMTP_API").TrimEnd('/') + "/");

    /// <summary>A recipient address no other test uses.</summary>
    public static string NewRecipient(string prefix = "t") => $"{prefix}-{Guid.NewGuid():N}@test.local";

    /// <summary>Everything received so far for <paramref name="recipient"/>, oldest first.</summary>
    public static async Task<IReadOnlyList<ReceivedMail>> MailsToAsync(string recipient)
    {
        var page = await Api.GetFromJsonAsync<MessagePage>(new Uri(ApiUrl, "api/messages?pageSize=100000"));
        var mine = page!.Results.Where(m => m.To.Any(t => string.Equals(t, recipient, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(m => m.ReceivedDate).ToList();
        var mails = new List<ReceivedMail>();
        foreach (var summary in mine)
        {
            await using var raw = await Api.GetStreamAsync(new Uri(ApiUrl, $"api/messages/{summary.Id}/raw"));
            var message = await MimeMessage.LoadAsync(raw);
            mails.Add(new ReceivedMail(summary.Id, summary.To, message.Subject ?? "", message.TextBody, message.HtmlBody, message));
        }
        return mails;
    }

    /// <summary>
    /// Waits until at least <paramref name="count"/> mails for <paramref name="recipient"/> arrived (or the deadline
    /// passed), then waits a little longer so a duplicate would show too, and returns them all.
    /// </summary>
    public static async Task<IReadOnlyList<ReceivedMail>> WaitForMailAsync(string recipient, int count, TimeSpan? timeout = null, TimeSpan? settle = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline && (await MailsToAsync(recipient)).Count < count)
        {
            await Task.Delay(200);
        }
        await Task.Delay(settle ?? TimeSpan.FromSeconds(1));
        return await MailsToAsync(recipient);
    }

    private static string Setting(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"Email tests need the SMTP test server: run ./test.sh, or start it with `source scripts/smtp4dev.sh; smtp4dev_start DIR SMTP_PORT API_PORT`, which sets {name}.");

    private sealed record MessagePage(List<MessageSummary> Results);

    private sealed record MessageSummary(string Id, List<string> To, DateTimeOffset ReceivedDate, string Subject);
}
