using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using OpsPortal.Core.Logs;
using OpsPortal.Core.Logs.Ingest;
using OpsPortal.Core.Logs.Parsing;
using OpsPortal.Core.Logs.Sources;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Logs.Ingest;

/// <summary>
/// The import pipeline (issue 14.8): the next batch is parsed while the last one is written, and only the
/// last commit is durable. Every line of a stream over several batches is stored once, in order.
/// </summary>
public sealed class LogIngestorTests : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private NpgsqlDataSource _dataSource = null!;
    private int _sourceId;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _dataSource = NpgsqlDataSource.Create(_db.ConnectionString);
        await using var ctx = _db.CreateContext();
        var source = new LogSource { Name = "import-test", Kind = LogSourceKind.Import, Format = "combined", CreatedAt = DateTimeOffset.UtcNow };
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
    public async Task IngestAsync_SeveralBatches_StoresEveryLineOnceAndReportsEachBatch()
    {
        const int lines = LogIngestor.ImportBatchRows * 3 + 7;
        var options = Options.Create(new LogsOptions());
        var ingestor = new LogIngestor(new AccessWriter(_dataSource, TimeProvider.System, options), TimeProvider.System, options);
        var source = new SourceContext(_sourceId, "import-test", LogFormat.Compile(LogFormat.Combined, new LogParserOptions()), "web1");
        var reports = new List<IngestResult>();

        var result = await ingestor.IngestAsync(source, new MemoryStream(Body(lines)), new SynchronousProgress(reports), default);

        Assert.Equal((lines - 1L, 1L), (result.Accepted, result.Rejected));
        var done = reports.Select(r => r.Accepted + r.Rejected).ToList();
        Assert.True(done.Count >= 3, $"{done.Count} batches");
        Assert.Equal(done.Order(), done);
        Assert.Equal(lines, done[^1]);
        await using var cmd = _dataSource.CreateCommand(
            "SELECT count(*), count(DISTINCT path), bool_and(hostname = 'web1') FROM access");
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((lines - 1L, lines - 1L, true), (reader.GetInt64(0), reader.GetInt64(1), reader.GetBoolean(2)));
        await using var ctx = _db.CreateContext();
        var counted = await ctx.LogSources.SingleAsync(s => s.Id == _sourceId);
        Assert.Equal((lines - 1L, 1L), (counted.AcceptedTotal, counted.RejectedTotal));
    }

    [Fact]
    public async Task IngestAsync_WriteFails_ThrowsAndStopsReading()
    {
        var options = Options.Create(new LogsOptions());
        await using var broken = NpgsqlDataSource.Create(_db.ConnectionString + ";Database=no_such_database");
        var ingestor = new LogIngestor(new AccessWriter(broken, TimeProvider.System, options), TimeProvider.System, options);
        var source = new SourceContext(_sourceId, "import-test", LogFormat.Compile(LogFormat.Combined, new LogParserOptions()), null);
        var body = new MemoryStream(Body(LogIngestor.ImportBatchRows * 4));

        await Assert.ThrowsAsync<PostgresException>(() => ingestor.IngestAsync(source, body, null, default));
        Assert.True(body.Position < body.Length, "the import read on after a failed write");
    }

    /// <summary>Distinct paths (one per line) and one unparseable line in the middle.</summary>
    private static byte[] Body(int lines)
    {
        var now = DateTime.UtcNow.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        for (var i = 0; i < lines; i++)
        {
            text.Append(i == lines / 2
                ? "not a log line\n"
                : $"10.0.0.1 - - [{now}] \"GET /i/{i} HTTP/1.1\" 200 1 \"-\" \"t\"\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private sealed class SynchronousProgress(List<IngestResult> reports) : IProgress<IngestResult>
    {
        public void Report(IngestResult value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
