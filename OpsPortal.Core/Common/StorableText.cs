using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace OpsPortal.Core;

/// <summary>
/// Text PostgreSQL can store. Its <c>text</c> and <c>jsonb</c> refuse the NUL character (22021,
/// 22P05) and Npgsql refuses to encode a lone UTF-16 surrogate, so such text used to fail a whole
/// statement: a 500 for a form, a stuck file source for a log line. Each write path turns its input
/// into storable text in one place, by one of two policies (docs/decisions/ADR-022):
/// <list type="bullet">
/// <item>Bytes from machines (log lines): <see cref="FromUtf8"/> keeps every byte — a NUL or a byte
/// that is not UTF-8 becomes <c>\xNN</c>, the escape nginx itself writes for such bytes.</item>
/// <item>Text from people (forms, API bodies): <see cref="Clean"/> removes NUL characters and turns a
/// lone surrogate into U+FFFD. Neither can be typed or shown, so nothing a person wrote is lost.</item>
/// </list>
/// </summary>
public static class StorableText
{
    /// <summary>Decodes UTF-8; a NUL and every byte that is not part of valid UTF-8 become <c>\xNN</c>.</summary>
    public static string FromUtf8(ReadOnlySpan<byte> utf8)
    {
        // Both checks are vectorised; almost every value takes this path.
        if (utf8.IndexOf((byte)0) < 0 && Utf8.IsValid(utf8))
        {
            return Encoding.UTF8.GetString(utf8);
        }
        var text = new StringBuilder(utf8.Length + 16);
        while (!utf8.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(utf8, out var rune, out var consumed);
            if (status == System.Buffers.OperationStatus.Done && rune.Value != 0)
            {
                text.Append(rune.ToString());
            }
            else
            {
                // An invalid sequence is escaped byte by byte; decoding resumes after the bytes it spans.
                for (var i = 0; i < Math.Max(consumed, 1); i++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"\\x{utf8[i]:X2}");
                }
            }
            utf8 = utf8[Math.Max(consumed, 1)..];
        }
        return text.ToString();
    }

    /// <summary>
    /// The same text as <see cref="FromUtf8"/> would give for its bytes: a NUL becomes <c>\x00</c> (a lone
    /// surrogate, which no UTF-8 has, U+FFFD). For values compared with stored log text, e.g. a search word.
    /// </summary>
    public static string Escape(string text) =>
        IsStorable(text) ? text : Clean(text.Replace("\0", "\\x00", StringComparison.Ordinal));

    /// <summary>True when PostgreSQL can store <paramref name="text"/> as it is.</summary>
    public static bool IsStorable(string text) => !text.Contains('\0', StringComparison.Ordinal) && !HasLoneSurrogate(text);

    /// <summary>Without NUL characters, and with U+FFFD for each lone surrogate.</summary>
    public static string Clean(string text)
    {
        if (IsStorable(text))
        {
            return text;
        }
        var clean = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                continue;
            }
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                clean.Append(c).Append(text[++i]);
                continue;
            }
            clean.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
        }
        return clean.ToString();
    }

    private static bool HasLoneSurrogate(string text)
    {
        // Surrogates are rare: find the first with a vectorised search, then check pairs from there.
        var i = text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        if (i < 0)
        {
            return false;
        }
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return true;
            }
        }
        return false;
    }
}
