using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsPortal.Core.Notifications;

/// <summary>How an email channel secures its SMTP connection.</summary>
internal enum SmtpTls
{
    /// <summary>Plain SMTP (a relay on the same host or network).</summary>
    None,

    /// <summary>STARTTLS upgrade, required (port 587).</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 465).</summary>
    Implicit,
}

/// <summary>
/// A place notifications go: a webhook (Slack-compatible or generic JSON) or email over SMTP. Its secret
/// (the webhook URL, the SMTP password) is stored only encrypted in <see cref="SecretProtected"/> and is
/// never shown back: pages and the API show <see cref="UrlHost"/> and whether a password is set.
/// </summary>
internal class NotificationChannel
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public ChannelKind Kind { get; set; }
    public bool Enabled { get; set; } = true;

    /// <summary>Created by demo mode; labelled demo everywhere.</summary>
    public bool IsDemo { get; set; }

    /// <summary>The encrypted webhook URL (webhooks) or SMTP password (email, optional).</summary>
    public string? SecretProtected { get; set; }

    /// <summary>The webhook URL's host, the one part of it that is shown.</summary>
    public string? UrlHost { get; set; }

    public string? SmtpHost { get; set; }
    public int? SmtpPort { get; set; }
    public SmtpTls SmtpTls { get; set; } = SmtpTls.StartTls;
    public string? SmtpUsername { get; set; }

    /// <summary>Accept any server certificate (a self-signed relay). Off by default.</summary>
    public bool SkipCertificateCheck { get; set; }

    public string? EmailFrom { get; set; }
    public List<string> EmailTo { get; set; } = [];

    /// <summary>Personal email destinations (on-call pages) are sent through this channel's SMTP server; at most one channel has it.</summary>
    public bool PersonalMail { get; set; }

    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public required string UpdatedBy { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class NotificationChannelConfiguration : IEntityTypeConfiguration<NotificationChannel>
{
    public void Configure(EntityTypeBuilder<NotificationChannel> e)
    {
        e.ToTable("notification_channels");
        e.Property(x => x.Name).HasMaxLength(NotificationRules.MaxName);
        e.HasIndex(x => x.Name).IsUnique();
        e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
        e.Property(x => x.SmtpTls).HasConversion<string>().HasMaxLength(16);
        e.Property(x => x.UrlHost).HasMaxLength(255);
        e.Property(x => x.SmtpHost).HasMaxLength(255);
        e.Property(x => x.SmtpUsername).HasMaxLength(255);
        e.Property(x => x.EmailFrom).HasMaxLength(320);
        e.Property(x => x.EmailTo).HasColumnType("text[]");
        e.Property(x => x.CreatedBy).HasMaxLength(256);
        e.Property(x => x.UpdatedBy).HasMaxLength(256);
        e.HasIndex(x => x.PersonalMail).IsUnique().HasFilter("personal_mail");
    }
}
