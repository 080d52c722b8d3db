using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsPortal.Core.Subscriptions;

/// <summary>
/// One user's notification settings: where to reach them (email, a webhook; the browser while signed in) and what
/// they want to hear about besides pages. A user without a row has the defaults (<see cref="For"/>): their account
/// address, pages, tickets assigned and watched, mentions, and incidents of their services.
/// </summary>
public class PersonalSettings
{
    /// <summary>The user's sign-in email (the key every feature names people by).</summary>
    public required string UserEmail { get; set; }

    /// <summary>Where mail goes; null: the account address.</summary>
    public string? Email { get; set; }
    public bool EmailEnabled { get; set; } = true;

    /// <summary>The personal webhook URL, encrypted like a channel's (never shown back); <see cref="WebhookHost"/> is what the page shows.</summary>
    public string? WebhookProtected { get; set; }
    public string? WebhookHost { get; set; }

    /// <summary>Slack-compatible body (true) or the portal's generic JSON (false).</summary>
    public bool WebhookSlack { get; set; } = true;
    public bool WebhookEnabled { get; set; }

    /// <summary>Desktop notifications of pages while signed in (the browser asks for permission once).</summary>
    public bool BrowserEnabled { get; set; } = true;

    public bool TicketsAssigned { get; set; } = true;
    public bool TicketsWatched { get; set; } = true;
    public bool IncidentsOfMyServices { get; set; } = true;
    public bool DeploysOfMyServices { get; set; }
    public bool Mentions { get; set; } = true;

    /// <summary>Services the user follows besides those whose owners name them.</summary>
    public List<string> Services { get; set; } = [];

    /// <summary>No digests between these wall-clock times in <see cref="TimeZone"/> (they wait until the end); pages always go out.</summary>
    public TimeOnly? QuietFrom { get; set; }
    public TimeOnly? QuietTo { get; set; }
    public string TimeZone { get; set; } = "UTC";

    public DateTimeOffset UpdatedAt { get; set; }

    internal static PersonalSettings For(string userEmail) => new() { UserEmail = userEmail };
}

internal sealed class PersonalSettingsConfiguration : IEntityTypeConfiguration<PersonalSettings>
{
    public void Configure(EntityTypeBuilder<PersonalSettings> e)
    {
        e.ToTable("personal_notification_settings");
        e.HasKey(x => x.UserEmail);
        e.Property(x => x.UserEmail).HasMaxLength(256);
        e.Property(x => x.Email).HasMaxLength(256);
        e.Property(x => x.WebhookHost).HasMaxLength(256);
        e.Property(x => x.Services).HasColumnType("text[]");
        e.Property(x => x.TimeZone).HasMaxLength(64);
    }
}
