using System.Net;
using System.Text.Json;
using OpsPortal.Core.Logs.Search;
using OpsPortal.Web.Common;

namespace OpsPortal.Web.Features.Logs.Search;

/// <summary>
/// A page of log rows as JSON, written field by field while the reader is on the row: the same bytes as
/// serialising <see cref="LogPage"/> with the web defaults (camelCase names in record order, nulls written,
/// the default encoder's escaping), without a <see cref="LogRow"/> or an address string per row (ADR-046;
/// LogApiFastPathTests compares the two).
/// </summary>
internal static class LogPageJson
{
    private static readonly JsonEncodedText Rows = JsonEncodedText.Encode("rows");
    private static readonly JsonEncodedText Next = JsonEncodedText.Encode("next");
    private static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText Date = JsonEncodedText.Encode("date");
    private static readonly JsonEncodedText Ip = JsonEncodedText.Encode("ip");
    private static readonly JsonEncodedText Hostname = JsonEncodedText.Encode("hostname");
    private static readonly JsonEncodedText Username = JsonEncodedText.Encode("username");
    private static readonly JsonEncodedText Method = JsonEncodedText.Encode("method");
    private static readonly JsonEncodedText Path = JsonEncodedText.Encode("path");
    private static readonly JsonEncodedText Protocol = JsonEncodedText.Encode("protocol");
    private static readonly JsonEncodedText Status = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText Size = JsonEncodedText.Encode("size");
    private static readonly JsonEncodedText Referrer = JsonEncodedText.Encode("referrer");
    private static readonly JsonEncodedText Useragent = JsonEncodedText.Encode("useragent");
    private static readonly JsonEncodedText Clienttime = JsonEncodedText.Encode("clienttime");
    private static readonly JsonEncodedText Backendtime = JsonEncodedText.Encode("backendtime");
    private static readonly JsonEncodedText Backendip = JsonEncodedText.Encode("backendip");
    private static readonly JsonEncodedText Backendport = JsonEncodedText.Encode("backendport");
    private static readonly JsonEncodedText Backendstatus = JsonEncodedText.Encode("backendstatus");
    private static readonly JsonEncodedText SslCipher = JsonEncodedText.Encode("sslCipher");
    private static readonly JsonEncodedText SslProtocol = JsonEncodedText.Encode("sslProtocol");
    private static readonly JsonEncodedText Scheme = JsonEncodedText.Encode("scheme");
    private static readonly JsonEncodedText SourceId = JsonEncodedText.Encode("sourceId");
    private static readonly JsonEncodedText RemoteHost = JsonEncodedText.Encode("remoteHost");
    private static readonly JsonEncodedText RawRequest = JsonEncodedText.Encode("rawRequest");
    private static readonly JsonEncodedText Query = JsonEncodedText.Encode("query");
    private static readonly JsonEncodedText Request = JsonEncodedText.Encode("request");

    public static void Start(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteStartArray(Rows);
    }

    public static void End(Utf8JsonWriter w, string? next)
    {
        w.WriteEndArray();
        w.WriteStringOrNull(Next, next);
        w.WriteEndObject();
    }

    public static void Row(Utf8JsonWriter w, LogRowView r)
    {
        // Each text column is decoded once: "request" is made of the same three values (LogRow.RequestOf).
        var path = r.Path;
        var rawRequest = r.RawRequest;
        var query = r.Query;
        w.WriteStartObject();
        w.WriteNumber(Id, r.Id);
        w.WriteString(Date, r.Date);
        Address(w, Ip, r.Ip);
        w.WriteStringOrNull(Hostname, r.Hostname);
        w.WriteStringOrNull(Username, r.Username);
        w.WriteStringOrNull(Method, r.Method);
        w.WriteStringOrNull(Path, path);
        w.WriteStringOrNull(Protocol, r.Protocol);
        w.WriteNumberOrNull(Status, r.Status);
        w.WriteNumberOrNull(Size, r.Size);
        w.WriteStringOrNull(Referrer, r.Referrer);
        w.WriteStringOrNull(Useragent, r.Useragent);
        w.WriteNumberOrNull(Clienttime, r.Clienttime);
        w.WriteNumberOrNull(Backendtime, r.Backendtime);
        Address(w, Backendip, r.Backendip);
        w.WriteNumberOrNull(Backendport, r.Backendport);
        w.WriteNumberOrNull(Backendstatus, r.Backendstatus);
        w.WriteStringOrNull(SslCipher, r.SslCipher);
        w.WriteStringOrNull(SslProtocol, r.SslProtocol);
        w.WriteStringOrNull(Scheme, r.Scheme);
        w.WriteNumberOrNull(SourceId, r.SourceId);
        w.WriteStringOrNull(RemoteHost, r.RemoteHost);
        w.WriteStringOrNull(RawRequest, rawRequest);
        w.WriteStringOrNull(Query, query);
        w.WriteStringOrNull(Request, LogRow.RequestOf(path, query, rawRequest));
        w.WriteEndObject();
    }

    // The address's text straight into the answer: IPv6 is at most 45 characters with a scope id.
    private static void Address(Utf8JsonWriter w, JsonEncodedText name, IPAddress? value)
    {
        Span<byte> text = stackalloc byte[64];
        if (value is null)
        {
            w.WriteNull(name);
        }
        else if (value.TryFormat(text, out var written))
        {
            w.WriteString(name, text[..written]);
        }
        else
        {
            w.WriteString(name, value.ToString());
        }
    }
}
