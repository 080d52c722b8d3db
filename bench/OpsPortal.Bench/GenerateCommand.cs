using System.Globalization;
using System.Text;
using OpsPortal.Core.Logs.Parsing;

namespace OpsPortal.Bench;

/// <summary>
/// Writes N realistic <c>opsportal</c>-format lines, and optionally the same rows pre-parsed as
/// CSV in the access table's column order, so <c>psql \copy</c> and our import load identical rows.
/// </summary>
internal static class GenerateCommand
{
    public const string CsvColumns =
        "ip,hostname,username,date,method,path,protocol,status,size,referrer,useragent,clienttime,backendtime," +
        "backendip,backendport,backendstatus,ssl_cipher,ssl_protocol,scheme,source_id,remote_host,raw_request,query";

    public static int Run(int count, string logPath, string? csvPath)
    {
        var generator = new LogLineGenerator(seed: 42);
        var parser = LogFormat.Preset("opsportal");
        var record = new AccessRecord();
        using var log = new StreamWriter(logPath, false, new UTF8Encoding(false), 1 << 20);
        using var csv = csvPath is null ? null : new StreamWriter(csvPath, false, new UTF8Encoding(false), 1 << 20);
        var rejected = 0;
        for (var i = 0; i < count; i++)
        {
            var line = generator.OpsPortal();
            log.Write(line);
            log.Write('\n');
            if (csv is null)
            {
                continue;
            }
            if (!parser.TryParse(line, record, out _))
            {
                rejected++;
                continue;
            }
            WriteCsv(csv, record);
        }
        Console.Error.WriteLine($"generated {count} lines ({rejected} would be rejected)");
        return 0;
    }

    private static void WriteCsv(StreamWriter csv, AccessRecord r)
    {
        Field(csv, r.Ip?.ToString()); Field(csv, r.Hostname); Field(csv, r.Username);
        Field(csv, r.Date.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture));
        Field(csv, r.Method); Field(csv, r.Path); Field(csv, r.Protocol); Field(csv, Num(r.Status)); Field(csv, Num((int?)r.Size));
        Field(csv, r.Referrer); Field(csv, r.UserAgent); Field(csv, Num(r.ClientTime)); Field(csv, Num(r.BackendTime));
        Field(csv, r.BackendIp?.ToString()); Field(csv, Num(r.BackendPort)); Field(csv, Num(r.BackendStatus));
        Field(csv, r.SslCipher); Field(csv, r.SslProtocol); Field(csv, r.Scheme); Field(csv, "1");
        Field(csv, r.RemoteHost); Field(csv, r.RawRequest); Field(csv, r.Query, last: true);
    }

    private static string? Num<T>(T? value) where T : struct, IFormattable =>
        value?.ToString(null, CultureInfo.InvariantCulture);

    private static void Field(StreamWriter csv, string? value, bool last = false)
    {
        if (value is not null)
        {
            csv.Write('"');
            csv.Write(value.Replace("\"", "\"\"", StringComparison.Ordinal));
            csv.Write('"');
        }
        csv.Write(last ? '\n' : ',');
    }

}
