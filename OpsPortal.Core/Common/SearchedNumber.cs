using System.Globalization;

namespace OpsPortal.Core.Common;

/// <summary>The record number a search names: "42" or "#42" (digits only, no sign or spaces), else null.</summary>
internal static class SearchedNumber
{
    public static long? Of(string text) =>
        long.TryParse(text.StartsWith('#') ? text[1..] : text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
}
