using System.Globalization;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Notifications;
using OpsPortal.Core.Services;

namespace OpsPortal.Core.Subscriptions;

/// <summary>A user's settings as shown and returned: never the webhook URL, only its host and whether one is set.</summary>
public sealed record PersonalSettingsView(
    string User, string? Email, string EffectiveEmail, bool EmailEnabled, string? WebhookHost, bool WebhookSet, bool WebhookSlack,
    bool WebhookEnabled, bool BrowserEnabled, bool TicketsAssigned, bool TicketsWatched, bool IncidentsOfMyServices, bool DeploysOfMyServices,
    bool Mentions, IReadOnlyList<string> Services, IReadOnlyList<string> OwnedServices, string? QuietFrom, string? QuietTo, string TimeZone);

/// <summary>
/// A change to one's own settings. Every field left null keeps its value. <see cref="WebhookUrl"/>: a URL sets it, "" removes it.
/// <see cref="QuietFrom"/>/<see cref="QuietTo"/>: <c>HH:mm</c>, "" for no quiet hours.
/// </summary>
public sealed record PersonalSettingsInput(
    string? Email = null, bool? EmailEnabled = null, string? WebhookUrl = null, bool? WebhookSlack = null, bool? WebhookEnabled = null,
    bool? BrowserEnabled = null, bool? TicketsAssigned = null, bool? TicketsWatched = null, bool? IncidentsOfMyServices = null,
    bool? DeploysOfMyServices = null, bool? Mentions = null, IReadOnlyList<string>? Services = null, string? QuietFrom = null,
    string? QuietTo = null, string? TimeZone = null);

/// <summary>Where a person is reached: a notification target and how the log names it (never a webhook URL).</summary>
public sealed record PersonalDestination(NotificationTarget Target, string Label);

/// <summary>Each user's own notification settings (<c>GET/PUT /api/me/notifications</c>), and where pages and digests reach people.</summary>
public sealed class PersonalSettingsService(IDbContextFactory<OpsDbContext> dbs, NotificationSecrets secrets, ServiceCatalog catalog, TimeProvider clock)
{
    public const int MaxServices = 50;

    public async Task<PersonalSettingsView> GetAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var db = await dbs.CreateDbContextAsync(ct);
        var settings = await db.Set<PersonalSettings>().AsNoTracking().SingleOrDefaultAsync(s => s.UserEmail == actor.Name, ct) ?? PersonalSettings.For(actor.Name);
        return View(settings, await OwnedServicesAsync(actor.Name, ct));
    }

    public async Task<Result<PersonalSettingsView>> SaveAsync(Actor actor, PersonalSettingsInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(input);
        if (actor.IsSystem)
        {
            return Refusal.Forbidden("Only a signed-in user has notification settings.");
        }
        var errors = new Dictionary<string, string>();
        await using var db = await dbs.CreateDbContextAsync(ct);
        var settings = await db.Set<PersonalSettings>().SingleOrDefaultAsync(s => s.UserEmail == actor.Name, ct);
        var created = settings is null;
        settings ??= PersonalSettings.For(actor.Name);
        if (input.Email is { } email)
        {
            email = email.Trim();
            if (email.Length > 0 && !NotificationRules.EmailAddress().IsMatch(email))
            {
                errors["email"] = "Not an email address (leave it empty to use your account address).";
            }
            settings.Email = email.Length == 0 || string.Equals(email, actor.Name, StringComparison.OrdinalIgnoreCase) ? null : email;
        }
        if (input.WebhookUrl is { } url)
        {
            if (url.Trim().Length == 0)
            {
                (settings.WebhookProtected, settings.WebhookHost, settings.WebhookEnabled) = (null, null, false);
            }
            else if (NotificationRules.WebhookUrl(url, out var problem) is { } uri)
            {
                (settings.WebhookProtected, settings.WebhookHost) = (secrets.Protect(uri.AbsoluteUri), uri.Host);
                settings.WebhookEnabled = input.WebhookEnabled ?? true;
            }
            else
            {
                errors["webhookUrl"] = problem!;
            }
        }
        if (input.Services is { } services)
        {
            var names = services.Select(s => s?.Trim() ?? "").Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            var known = (await catalog.NamesAsync(ct)).ToHashSet(StringComparer.Ordinal);
            var unknown = names.FirstOrDefault(n => !known.Contains(n));
            if (names.Count > MaxServices)
            {
                errors["services"] = $"Follow at most {MaxServices} services.";
            }
            else if (unknown is not null)
            {
                errors["services"] = $"'{unknown}' is not a service of the catalog.";
            }
            settings.Services = names;
        }
        if (input.TimeZone is { } zone)
        {
            if (WallClock.Find(zone) is null)
            {
                errors["timeZone"] = "The time zone must be an IANA id such as Europe/Berlin or UTC.";
            }
            settings.TimeZone = zone.Trim();
        }
        if (input.QuietFrom is not null || input.QuietTo is not null)
        {
            var from = Time(input.QuietFrom ?? Text(settings.QuietFrom), "quietFrom", errors);
            var to = Time(input.QuietTo ?? Text(settings.QuietTo), "quietTo", errors);
            if (from is null != to is null || (from is not null && from == to))
            {
                errors["quietTo"] = "Quiet hours need both a start and a different end (HH:mm), or neither.";
            }
            (settings.QuietFrom, settings.QuietTo) = (from, to);
        }
        if (input.WebhookEnabled is { } webhookOn && input.WebhookUrl is null)
        {
            if (webhookOn && settings.WebhookProtected is null)
            {
                errors["webhookEnabled"] = "Set a webhook URL first.";
            }
            settings.WebhookEnabled = webhookOn;
        }
        settings.EmailEnabled = input.EmailEnabled ?? settings.EmailEnabled;
        settings.WebhookSlack = input.WebhookSlack ?? settings.WebhookSlack;
        settings.BrowserEnabled = input.BrowserEnabled ?? settings.BrowserEnabled;
        settings.TicketsAssigned = input.TicketsAssigned ?? settings.TicketsAssigned;
        settings.TicketsWatched = input.TicketsWatched ?? settings.TicketsWatched;
        settings.IncidentsOfMyServices = input.IncidentsOfMyServices ?? settings.IncidentsOfMyServices;
        settings.DeploysOfMyServices = input.DeploysOfMyServices ?? settings.DeploysOfMyServices;
        settings.Mentions = input.Mentions ?? settings.Mentions;
        if (errors.Count > 0)
        {
            return Refusal.InvalidFields(errors, "The notification settings are not valid");
        }
        settings.UpdatedAt = clock.GetUtcNow();
        if (created)
        {
            db.Add(settings);
        }
        await db.SaveChangesAsync(ct);
        return View(settings, await OwnedServicesAsync(actor.Name, ct));
    }

    /// <summary>Each person's settings (defaults for those without a row), on the caller's context.</summary>
    public static async Task<Dictionary<string, PersonalSettings>> ForAsync(OpsDbContext db, IReadOnlyCollection<string> people, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var rows = await db.Set<PersonalSettings>().AsNoTracking().Where(s => people.Contains(s.UserEmail)).ToDictionaryAsync(s => s.UserEmail, ct);
        return people.Distinct().ToDictionary(p => p, p => rows.GetValueOrDefault(p) ?? PersonalSettings.For(p));
    }

    /// <summary>
    /// Where to reach a person. Pages (<paramref name="page"/> true) go to every enabled channel, and to the account
    /// address when none is enabled: a page always goes somewhere. Digests go to the enabled channels only.
    /// </summary>
    public IReadOnlyList<PersonalDestination> Destinations(PersonalSettings settings, bool page)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var list = new List<PersonalDestination>();
        var email = settings.Email ?? settings.UserEmail;
        if (settings.EmailEnabled)
        {
            list.Add(new PersonalDestination(NotificationTarget.ToEmail(email), "email " + email));
        }
        if (settings.WebhookEnabled && secrets.Unprotect(settings.WebhookProtected) is { } url)
        {
            list.Add(new PersonalDestination(NotificationTarget.ToWebhook(url, settings.WebhookSlack), "webhook " + settings.WebhookHost));
        }
        if (page && list.Count == 0)
        {
            list.Add(new PersonalDestination(NotificationTarget.ToEmail(settings.UserEmail), "email " + settings.UserEmail));
        }
        return list;
    }

    /// <summary>Whether <paramref name="instant"/> falls in the person's quiet hours (digests wait; pages do not).</summary>
    internal static bool InQuietHours(PersonalSettings settings, DateTimeOffset instant)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.QuietFrom is not { } from || settings.QuietTo is not { } to)
        {
            return false;
        }
        var time = TimeOnly.FromDateTime(WallClock.ToWall(instant, WallClock.Find(settings.TimeZone) ?? TimeZoneInfo.Utc));
        return from < to ? time >= from && time < to : time >= from || time < to;
    }

    /// <summary>Services whose catalog owners name the person.</summary>
    internal async Task<IReadOnlyList<string>> OwnedServicesAsync(string person, CancellationToken ct) =>
        (await catalog.ListAsync(ct)).Where(s => s.Owners.Contains(person, StringComparer.OrdinalIgnoreCase)).Select(s => s.Name).ToList();

    private static PersonalSettingsView View(PersonalSettings s, IReadOnlyList<string> owned) => new(
        s.UserEmail, s.Email, s.Email ?? s.UserEmail, s.EmailEnabled, s.WebhookHost, s.WebhookProtected is not null, s.WebhookSlack, s.WebhookEnabled,
        s.BrowserEnabled, s.TicketsAssigned, s.TicketsWatched, s.IncidentsOfMyServices, s.DeploysOfMyServices, s.Mentions, s.Services, owned,
        Text(s.QuietFrom), Text(s.QuietTo), s.TimeZone);

    private static string? Text(TimeOnly? t) => t?.ToString("HH:mm", CultureInfo.InvariantCulture);

    private static TimeOnly? Time(string? text, string field, Dictionary<string, string> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        if (TimeOnly.TryParseExact(text.Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
        {
            return t;
        }
        errors[field] = "A time of day as HH:mm, e.g. 22:00.";
        return null;
    }
}
