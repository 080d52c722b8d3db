using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;
using OpsPortal.Core.Logs.Search;

namespace OpsPortal.Web.Features.Logs.Search;

/// <summary>
/// One access row as a CSV line, encoded straight into the response's buffer while the reader is on the row
/// (ADR-046), without a string per line or per number.
/// </summary>
internal static class LogCsv
{
    public static void Row(IBufferWriter<byte> w, LogRowView r)
    {
        Date(w, r.Date);
        Comma(w);
        Address(w, r.Ip);
        Comma(w);
        Text(w, r.RemoteHost);
        Comma(w);
        Text(w, r.Hostname);
        Comma(w);
        Text(w, r.Username);
        Comma(w);
        Text(w, r.Method);
        Comma(w);
        Text(w, r.Path);
        Comma(w);
        Text(w, r.Protocol);
        Comma(w);
        Number(w, r.Status);
        Comma(w);
        Number(w, r.Size);
        Comma(w);
        Text(w, r.Referrer);
        Comma(w);
        Text(w, r.Useragent);
        Comma(w);
        Number(w, r.Clienttime);
        Comma(w);
        Number(w, r.Backendtime);
        Comma(w);
        Address(w, r.Backendip);
        Comma(w);
        Number(w, r.Backendport);
        Comma(w);
        Number(w, r.Backendstatus);
        Comma(w);
        Text(w, r.SslProtocol);
        Comma(w);
        Text(w, r.SslCipher);
        Comma(w);
        Text(w, r.Scheme);
        Comma(w);
        Number(w, r.SourceId);
        Comma(w);
        Text(w, r.RawRequest);
        Comma(w);
        Text(w, r.Query);
        Byte(w, (byte)'\n');
    }

    private static void Comma(IBufferWriter<byte> w) => Byte(w, (byte)',');

    private static void Byte(IBufferWriter<byte> w, byte b)
    {
        w.GetSpan(1)[0] = b;
        w.Advance(1);
    }

    private static void Date(IBufferWriter<byte> w, DateTime date)
    {
        var span = w.GetSpan(32);
        span[0] = (byte)'"';
        date.TryFormat(span[1..], out var n, "yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        span[n + 1] = (byte)'"';
        w.Advance(n + 2);
    }

    private static void Address(IBufferWriter<byte> w, IPAddress? address)
    {
        if (address is null)
        {
            return;
        }
        var span = w.GetSpan(72);
        span[0] = (byte)'"';
        if (!address.TryFormat(span[1..^1], out var n))
        {
            Text(w, address.ToString());
            return;
        }
        span[n + 1] = (byte)'"';
        w.Advance(n + 2);
    }

    private static void Number<T>(IBufferWriter<byte> w, T? value) where T : struct, IUtf8SpanFormattable
    {
        if (value is { } v)
        {
            var span = w.GetSpan(32);
            v.TryFormat(span, out var n, default, CultureInfo.InvariantCulture);
            w.Advance(n);
        }
    }

    /// <summary>
    /// Quoted, quotes doubled, and a leading = + - @ tab or CR defused with an apostrophe: log fields are
    /// attacker-controlled, and a spreadsheet runs a cell starting with = as a formula (CSV injection).
    /// </summary>
    internal static void Text(IBufferWriter<byte> w, string? value)
    {
        if (value is null)
        {
            return;
        }
        Byte(w, (byte)'"');
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            Byte(w, (byte)'\'');
        }
        var rest = value.AsSpan();
        while (true)
        {
            var quote = rest.IndexOf('"');
            var part = quote < 0 ? rest : rest[..(quote + 1)];
            var n = Encoding.UTF8.GetBytes(part, w.GetSpan(Encoding.UTF8.GetMaxByteCount(part.Length)));
            w.Advance(n);
            if (quote < 0)
            {
                break;
            }
            // The quote was written with its part; a second one doubles it.
            Byte(w, (byte)'"');
            rest = rest[(quote + 1)..];
        }
        Byte(w, (byte)'"');
    }
}
