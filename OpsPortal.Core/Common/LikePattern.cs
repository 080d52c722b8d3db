namespace OpsPortal.Core.Common;

/// <summary>Text a user typed, as a LIKE/ILIKE pattern that matches it literally (its % and _ are not wildcards).</summary>
internal static class LikePattern
{
    public static string Escape(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    /// <summary>Matches values containing <paramref name="text"/> anywhere.</summary>
    public static string Contains(string text) => "%" + Escape(text) + "%";
}
