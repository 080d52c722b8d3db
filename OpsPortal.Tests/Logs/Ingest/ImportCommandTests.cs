using Npgsql;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Logs.Ingest;

/// <summary>The <c>import</c> verb, run as the real binary, as an operator would.</summary>
public sealed class ImportCommandTests : IAsyncLifetime
{
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "apache_combined_elastic.log");
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Import_RealLog_PrintsSummaryAndStoresRows()
    {
        var cli = await Cli.RunAsync(_db.ConnectionString, null, "import", "--format", "combined", "--host", "web1", Fixture);

        Assert.True(cli.ExitCode == 0, cli.Error);
        Assert.Contains("Imported 9,999 rows, 1 rejected, into source 'import/combined/web1'", cli.Output, StringComparison.Ordinal);
        Assert.Contains("older than the retention", cli.Output, StringComparison.Ordinal);
        await using var conn = new NpgsqlConnection(_db.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM access WHERE hostname = 'web1'", conn);
        Assert.Equal(9_999L, await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Import_FileWithNulAndInvalidUtf8_StoresEveryLineEscaped()
    {
        var file = Path.Combine(Path.GetTempPath(), $"opsportal-nul-{Guid.NewGuid():N}.log");
        await File.WriteAllBytesAsync(file, LogsIngestApiTests.NulAndInvalidUtf8Body());
        try
        {
            var cli = await Cli.RunAsync(_db.ConnectionString, null, "import", "--format", "combined", file);

            Assert.True(cli.ExitCode == 0, cli.Error);
            Assert.Contains("Imported 4 rows, 0 rejected", cli.Output, StringComparison.Ordinal);
            await using var conn = new NpgsqlConnection(_db.ConnectionString);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT string_agg(path, ' ' ORDER BY id) FROM access", conn);
            Assert.Equal("/before /a\\x00b /c /after", await cmd.ExecuteScalarAsync());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData(new[] { "import" }, "Name at least one file")]
    [InlineData(new[] { "import", "--format", "apache", "x.log" }, "Unknown format 'apache'")]
    [InlineData(new[] { "import", "/nonexistent/file.log" }, "No such file")]
    [InlineData(new[] { "import", "--source", "nope", "x.log" }, "No log source named 'nope'")]
    public async Task Import_BadArguments_ExplainsAndFails(string[] args, string expected)
    {
        var cli = await Cli.RunAsync(_db.ConnectionString, null, args);

        Assert.NotEqual(0, cli.ExitCode);
        Assert.Contains(expected, cli.Error, StringComparison.Ordinal);
    }
}
