using System.Text.Json;
using OpsPortal.Core.Logs.Search;
using OpsPortal.Web.Common;

namespace OpsPortal.Web.Features.Logs.Search;

/// <summary>
/// A trends answer as JSON, written field by field: the same bytes as serialising <see cref="LogTrendResult"/>
/// with the web defaults (camelCase names in record order, nulls written, the default encoder's escaping of
/// keys), without the serializer's per-point work — a year by hour is 9,469 points a line
/// (LogTrendsJsonTests compares the two).
/// </summary>
internal static class LogTrendsJson
{
    private static readonly JsonEncodedText From = JsonEncodedText.Encode("from");
    private static readonly JsonEncodedText To = JsonEncodedText.Encode("to");
    private static readonly JsonEncodedText StepSeconds = JsonEncodedText.Encode("stepSeconds");
    private static readonly JsonEncodedText Source = JsonEncodedText.Encode("source");
    private static readonly JsonEncodedText Split = JsonEncodedText.Encode("split");
    private static readonly JsonEncodedText Lines = JsonEncodedText.Encode("lines");
    private static readonly JsonEncodedText Key = JsonEncodedText.Encode("key");
    private static readonly JsonEncodedText Points = JsonEncodedText.Encode("points");
    private static readonly JsonEncodedText T = JsonEncodedText.Encode("t");
    private static readonly JsonEncodedText Requests = JsonEncodedText.Encode("requests");
    private static readonly JsonEncodedText Status2xx = JsonEncodedText.Encode("status2xx");
    private static readonly JsonEncodedText Status3xx = JsonEncodedText.Encode("status3xx");
    private static readonly JsonEncodedText Status4xx = JsonEncodedText.Encode("status4xx");
    private static readonly JsonEncodedText Status5xx = JsonEncodedText.Encode("status5xx");
    private static readonly JsonEncodedText StatusOther = JsonEncodedText.Encode("statusOther");
    private static readonly JsonEncodedText P50 = JsonEncodedText.Encode("p50");
    private static readonly JsonEncodedText P95 = JsonEncodedText.Encode("p95");
    private static readonly JsonEncodedText P99 = JsonEncodedText.Encode("p99");
    private static readonly JsonEncodedText ErrorRate = JsonEncodedText.Encode("errorRate");

    public static PooledJson<LogTrendResult> Answer(LogTrendResult r) => PooledJson<LogTrendResult>.Of(r, Write);

    public static void Write(Utf8JsonWriter w, LogTrendResult r)
    {
        w.WriteStartObject();
        w.WriteString(From, r.From);
        w.WriteString(To, r.To);
        w.WriteNumber(StepSeconds, r.StepSeconds);
        w.WriteString(Source, r.Source);
        w.WriteStringOrNull(Split, r.Split);
        w.WriteStartArray(Lines);
        foreach (var line in r.Lines)
        {
            w.WriteStartObject();
            w.WriteString(Key, line.Key);
            w.WriteStartArray(Points);
            foreach (var p in line.Points)
            {
                Point(w, p);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Point(Utf8JsonWriter w, in LogTrendPoint p)
    {
        w.WriteStartObject();
        w.WriteString(T, p.T);
        w.WriteNumber(Requests, p.Requests);
        w.WriteNumber(Status2xx, p.Status2xx);
        w.WriteNumber(Status3xx, p.Status3xx);
        w.WriteNumber(Status4xx, p.Status4xx);
        w.WriteNumber(Status5xx, p.Status5xx);
        w.WriteNumber(StatusOther, p.StatusOther);
        w.WriteNumberOrNull(P50, p.P50);
        w.WriteNumberOrNull(P95, p.P95);
        w.WriteNumberOrNull(P99, p.P99);
        w.WriteNumber(ErrorRate, p.ErrorRate);
        w.WriteEndObject();
    }
}
