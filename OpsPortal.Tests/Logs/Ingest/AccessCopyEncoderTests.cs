using System.Net;
using Microsoft.Extensions.Options;
using Npgsql;
using OpsPortal.Core.Logs;
using OpsPortal.Core.Logs.Ingest;
using OpsPortal.Core.Logs.Parsing;
using OpsPortal.Core.Logs.Sources;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Logs.Ingest;

/// <summary>
/// The hand-written binary COPY encoding (issue 14.8) stores every column exactly as the record holds it:
/// each type, nulls, IPv6, non-ASCII text, and rows spread over several chunks of the COPY stream.
/// </summary>
public sealed class AccessCopyEncoderTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private NpgsqlDataSource _dataSource = null!;
    private int _sourceId;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _dataSource = NpgsqlDataSource.Create(_db.ConnectionString);
        await using var ctx = _db.CreateContext();
        var source = new LogSource { Name = "copy-test", Kind = LogSourceKind.Import, Format = "combined", CreatedAt = DateTimeOffset.UtcNow };
        ctx.LogSources.Add(source);
        await ctx.SaveChangesAsync();
        _sourceId = source.Id;
    }

    public async Task DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task WriteAsync_EveryColumnAndNulls_StoredAsTheRecordHoldsThem()
    {
        var date = DateTime.UtcNow.Date.AddHours(3).AddTicks(1234560); // microseconds survive, the 7th digit is not stored
        var full = new AccessRecord
        {
            Ip = IPAddress.Parse("2001:db8::17"),
            Hostname = "wéb-1",
            Username = "anna",
            Date = date,
            Method = "POST",
            Path = "/screen",
            Query = "id=17&q=ünï",
            Protocol = "HTTP/2.0",
            Status = 503,
            Size = int.MaxValue,
            Referrer = "https://example.org/a",
            UserAgent = "curl/8 \"quoted\" ☃",
            ClientTime = 0.125,
            BackendTime = 12.5,
            BackendIp = IPAddress.Parse("10.1.2.3"),
            BackendPort = 8080,
            BackendStatus = 502,
            SslCipher = "TLS_AES_128_GCM_SHA256",
            SslProtocol = "TLSv1.3",
            Scheme = "https",
        };
        var sparse = new AccessRecord { RemoteHost = "client.example", Date = date, RawRequest = "\u0016\u0003\u0001 junk" };

        await new AccessWriter(_dataSource, TimeProvider.System, Options.Create(new LogsOptions()))
            .WriteAsync(_sourceId, [full, sparse], 2, [], null, default);

        await using var cmd = _dataSource.CreateCommand("""
            SELECT ip, hostname, username, date, method, path, protocol, status, size, referrer, useragent, clienttime,
                   backendtime, backendip, backendport, backendstatus, ssl_cipher, ssl_protocol, scheme, source_id,
                   remote_host, raw_request, query
            FROM access ORDER BY id
            """);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(full.Ip, reader.GetFieldValue<IPAddress>(0));
        Assert.Equal(["wéb-1", "anna"], [reader.GetString(1), reader.GetString(2)]);
        Assert.Equal(date.AddTicks(-(date.Ticks % 10)), reader.GetDateTime(3));
        Assert.Equal(["POST", "/screen", "HTTP/2.0"], [reader.GetString(4), reader.GetString(5), reader.GetString(6)]);
        Assert.Equal((503, int.MaxValue), (reader.GetInt32(7), reader.GetInt32(8)));
        Assert.Equal(["https://example.org/a", "curl/8 \"quoted\" ☃"], [reader.GetString(9), reader.GetString(10)]);
        Assert.Equal((0.125, 12.5), (reader.GetDouble(11), reader.GetDouble(12)));
        Assert.Equal(full.BackendIp, reader.GetFieldValue<IPAddress>(13));
        Assert.Equal((8080, 502), (reader.GetInt32(14), reader.GetInt32(15)));
        Assert.Equal(["TLS_AES_128_GCM_SHA256", "TLSv1.3", "https"], [reader.GetString(16), reader.GetString(17), reader.GetString(18)]);
        Assert.Equal(_sourceId, reader.GetInt32(19));
        Assert.True(reader.IsDBNull(20) && reader.IsDBNull(21));
        Assert.Equal("id=17&q=ünï", reader.GetString(22));

        Assert.True(await reader.ReadAsync());
        int[] nullColumns = [0, 1, 2, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 22];
        Assert.All(nullColumns, c => Assert.True(reader.IsDBNull(c), $"column {reader.GetName(c)} is not null"));
        Assert.Equal(0, reader.GetInt32(8));
        Assert.Equal(["client.example", "\u0016\u0003\u0001 junk"], [reader.GetString(20), reader.GetString(21)]);
    }

    [Fact]
    public async Task WriteAsync_RowsOverSeveralChunks_EachStoredOnceWithItsOwnValues()
    {
        // Over a megabyte of rows: many chunks of the COPY stream; alternating shared instances exercise the per-column cache.
        const int count = 6000;
        var agents = new[] { "agent-a " + new string('x', 150), "agent-b " + new string('y', 150) };
        var date = DateTime.UtcNow.Date.AddHours(1);
        var rows = Enumerable.Range(0, count).Select(i => new AccessRecord
        {
            Ip = IPAddress.Parse($"10.0.{i / 250}.{i % 250}"),
            Date = date.AddMilliseconds(i),
            Method = "GET",
            Path = $"/p/{i}",
            Status = 200 + (i % 5),
            UserAgent = agents[i % 2],
        }).ToList();

        await new AccessWriter(_dataSource, TimeProvider.System, Options.Create(new LogsOptions()))
            .WriteAsync(_sourceId, rows, count, [], null, default);

        await using var cmd = _dataSource.CreateCommand("""
            SELECT count(*),
                   count(DISTINCT path),
                   count(*) FILTER (WHERE useragent LIKE 'agent-a%' AND substr(path, 4)::int % 2 = 0),
                   count(*) FILTER (WHERE useragent LIKE 'agent-b%' AND substr(path, 4)::int % 2 = 1),
                   count(*) FILTER (WHERE status = 200 + substr(path, 4)::int % 5
                                    AND host(ip) = '10.0.' || (substr(path, 4)::int / 250) || '.' || (substr(path, 4)::int % 250))
            FROM access
            """);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(count, reader.GetInt64(0));
        Assert.Equal(count, reader.GetInt64(1));
        Assert.Equal(count / 2, reader.GetInt64(2));
        Assert.Equal(count / 2, reader.GetInt64(3));
        Assert.Equal(count, reader.GetInt64(4));
    }
}
