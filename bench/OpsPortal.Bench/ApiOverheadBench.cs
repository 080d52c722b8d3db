using System.Diagnostics;
using System.Globalization;
using System.Net;
using Npgsql;

namespace OpsPortal.Bench;

/// <summary>
/// The API overhead budget (issue 18 item 6): for each case, the HTTP call (one kept-alive connection) and
/// the SQL the endpoint runs (one kept Npgsql connection, every value of every row read with the getter of
/// its type, as the app's own readers do: no boxing on the SQL side to flatter the API), interleaved call
/// by call in one process so both see the same load. Cases come from a file, one per line:
/// <c>name|path and query|SQL|mode</c>, mode <c>json</c> (JSON array "rows" or "buckets" counted),
/// <c>series</c> (the points of every "series" or "lines" entry counted), <c>csv</c> (lines counted, header
/// excluded). SQL of several statements (<c>;</c>) is sent as one batch; its rows are those of the last
/// statement. Prints per case p50/p95 of both, the overhead of the medians and p95s, and rows/s; the rows
/// each side returned must match or the case fails.
/// </summary>
internal static class ApiOverheadBench
{
    /// <summary>
    /// Untimed rounds before a JSON case: the app's code must reach its steady state first. .NET compiles a
    /// method quickly at first (tier 0), then with profile counters, and only after ~30 calls and a quiet
    /// 100 ms an optimised version; a fresh app spent 14–15 ms of CPU per 1,000-row page over its first 200
    /// calls, 10 over the next 200 and 3–4 from the 400th on (bench/RESULTS.md). 20 rounds timed the
    /// compiler, not the endpoint.
    /// </summary>
    public const int DefaultWarmUp = 500;

    public static async Task<int> RunAsync(string baseUrl, string token, string connection, string casesFile, int runs, int appPid, int jsonWarmUp)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, AutomaticDecompression = DecompressionMethods.None };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        await using (var jit = new NpgsqlCommand("SET jit = off", db))
        {
            await jit.ExecuteNonQueryAsync();
        }
        Console.WriteLine("| case | rows | API p50 | API p95 | SQL p50 | SQL p95 | overhead p50 | overhead p95 | API rows/s (p50) | SQL rows/s (p50) | app CPU ms/call |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var failed = 0;
        foreach (var line in await File.ReadAllLinesAsync(casesFile))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var parts = line.Split('|');
            var (name, path, sql, mode) = (parts[0], parts[1], parts[2], parts[3]);
            var caseRuns = mode == "csv" ? Math.Max(5, runs / 20) : runs;
            var warmUp = mode == "csv" ? 2 : Math.Max(1, jsonWarmUp);
            var api = new List<double>();
            var query = new List<double>();
            int apiRows = 0, sqlRows = 0;
            double cpuStart = 0;
            for (var i = 0; i < warmUp + caseRuns; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var body = await CallAsync(http, path);
                var apiMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                // Counted after the clock stopped: parsing the answer is the client's cost, not the API's.
                apiRows = Count(body, mode);
                started = Stopwatch.GetTimestamp();
                sqlRows = await QueryAsync(db, sql);
                var sqlMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (i == warmUp - 1)
                {
                    cpuStart = CpuMs(appPid);
                }
                if (i >= warmUp)
                {
                    api.Add(apiMs);
                    query.Add(sqlMs);
                }
            }
            // A page's statement reads one row more than it returns: that row tells whether another page exists.
            // A series has a point for every step, with or without a row behind it.
            if (mode == "series" ? apiRows < sqlRows : apiRows != sqlRows && apiRows + 1 != sqlRows)
            {
                Console.Error.WriteLine($"{name}: the API returned {apiRows} rows, the SQL {sqlRows}");
                failed++;
            }
            // The app's CPU over the timed rounds (user + system; it idles during the SQL half of each round):
            // unlike wall time, hardly inflated by other processes on a loaded machine.
            var cpuPerCall = (CpuMs(appPid) - cpuStart) / caseRuns;
            double a50 = Percentile(api, 50), a95 = Percentile(api, 95), s50 = Percentile(query, 50), s95 = Percentile(query, 95);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {apiRows:N0} | {a50:F2} | {a95:F2} | {s50:F2} | {s95:F2} | {a50 - s50:F2} | {a95 - s95:F2} | {apiRows / a50 * 1000:N0} | {sqlRows / s50 * 1000:N0} | {cpuPerCall:F2} |"));
        }
        return failed == 0 ? 0 : 1;
    }

    private static async Task<byte[]> CallAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{path}: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static int Count(byte[] body, string mode)
    {
        if (mode == "csv")
        {
            return body.AsSpan().Count((byte)'\n') - 1;
        }
        using var json = System.Text.Json.JsonDocument.Parse(body);
        var root = json.RootElement;
        if (mode == "series")
        {
            var lines = root.TryGetProperty("series", out var series) ? series : root.GetProperty("lines");
            return lines.EnumerateArray().Sum(l => l.GetProperty("points").GetArrayLength());
        }
        return (root.TryGetProperty("rows", out var rows) ? rows : root.GetProperty("buckets")).GetArrayLength();
    }

    private static async Task<int> QueryAsync(NpgsqlConnection db, string sql)
    {
#pragma warning disable CA2100 // the bench's own statements
        await using var command = new NpgsqlCommand(sql, db);
#pragma warning restore CA2100
        await using var reader = await command.ExecuteReaderAsync();
        var count = 0;
        do
        {
            count = 0;
            var types = Enumerable.Range(0, reader.FieldCount).Select(reader.GetFieldType).ToArray();
            while (await reader.ReadAsync())
            {
                ReadRow(reader, types);
                count++;
            }
        }
        while (await reader.NextResultAsync());
        return count;
    }

    /// <summary>Every value of the row, read as the app reads its columns: a typed getter, no boxing.</summary>
    private static void ReadRow(NpgsqlDataReader reader, Type[] types)
    {
        for (var i = 0; i < types.Length; i++)
        {
            if (reader.IsDBNull(i))
            {
                continue;
            }
            var type = types[i];
            if (type == typeof(long))
            {
                reader.GetInt64(i);
            }
            else if (type == typeof(int))
            {
                reader.GetInt32(i);
            }
            else if (type == typeof(short))
            {
                reader.GetInt16(i);
            }
            else if (type == typeof(double))
            {
                reader.GetDouble(i);
            }
            else if (type == typeof(DateTime))
            {
                reader.GetDateTime(i);
            }
            else if (type == typeof(string))
            {
                reader.GetString(i);
            }
            else
            {
                reader.GetValue(i);
            }
        }
    }

    /// <summary>utime + stime of a process from /proc (clock ticks of 10 ms), in ms.</summary>
    private static double CpuMs(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
    }

    private static double Percentile(List<double> samples, int p)
    {
        var sorted = samples.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(sorted.Count * p / 100.0) - 1, 0, sorted.Count - 1)];
    }
}
