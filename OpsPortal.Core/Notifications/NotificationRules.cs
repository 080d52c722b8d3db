using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace OpsPortal.Core.Notifications;

/// <summary>Limits and patterns every notification input is checked against.</summary>
public static partial class NotificationRules
{
    public const int MaxName = 100;
    public const int MaxSubject = 300;
    public const int MaxText = 20_000;
    public const int MaxLabels = 50;
    public const int MaxLabelValue = 500;
    public const int MaxLinks = 10;
    public const int MaxRecipients = 20;
    public const int MaxRoutes = 200;
    public const int MaxMatchers = 20;
    public const int MaxUrl = 2000;

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.\-]{0,63}\z")]
    internal static partial Regex LabelName();

    // Deliberately simple: one @, something on both sides, no spaces or angle brackets. The SMTP server has the final say.
    [GeneratedRegex(@"^[^@\s<>,;""]{1,64}@[^@\s<>,;""]{1,255}$")]
    public static partial Regex EmailAddress();

    /// <summary>An absolute http(s) URL with a host, or null with the reason in <paramref name="problem"/>.</summary>
    public static Uri? WebhookUrl(string? text, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(text) || text.Length > MaxUrl
            || !Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || string.IsNullOrEmpty(uri.Host))
        {
            // Never echo the text: it may be a secret URL with a typo.
            problem = $"The webhook URL must be an absolute http:// or https:// URL of at most {MaxUrl} characters.";
            return null;
        }
        return uri;
    }
}

/// <summary>The JSON settings of the notification columns and bodies.</summary>
internal static class NotificationJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Maps a property to a jsonb column, compared by its JSON so EF notices changes inside it.</summary>
    public static PropertyBuilder<T> HasJsonColumn<T>(this PropertyBuilder<T> property) where T : class, new() =>
        property.HasColumnType("jsonb").HasConversion(
            v => JsonSerializer.Serialize(v, Options),
            v => JsonSerializer.Deserialize<T>(v, Options) ?? new T(),
            new ValueComparer<T>(
                (a, b) => JsonSerializer.Serialize(a, Options) == JsonSerializer.Serialize(b, Options),
                v => JsonSerializer.Serialize(v, Options).GetHashCode(StringComparison.Ordinal),
                v => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, Options), Options)!));
}
