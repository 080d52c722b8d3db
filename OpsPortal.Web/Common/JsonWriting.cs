using System.Text.Json;

namespace OpsPortal.Web.Common;

/// <summary>Writes of the hand-written JSON answers (LogPageJson, MetricSeriesJson, LogTrendsJson): a value, or null as the serializer writes it.</summary>
internal static class JsonWriting
{
    public static void WriteNumberOrNull(this Utf8JsonWriter w, JsonEncodedText name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    public static void WriteNumberOrNull(this Utf8JsonWriter w, JsonEncodedText name, int? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    public static void WriteStringOrNull(this Utf8JsonWriter w, JsonEncodedText name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }
}
