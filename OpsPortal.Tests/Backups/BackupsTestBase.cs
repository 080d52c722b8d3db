using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpsPortal.Core.Backups;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Backups;

/// <summary>The real app on its own database, backups written to a folder of the test's own; jobs are run by the test, not Hangfire.</summary>
public abstract class BackupsTestBase : ApiTestBase
{
    protected static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    protected string Folder { get; } = Directory.CreateTempSubdirectory("opsportal-backups-test-").FullName;

    private readonly List<string> _databases = [];

    protected override IReadOnlyDictionary<string, string>? Settings => BaseSettings;

    protected Dictionary<string, string> BaseSettings => new()
    {
        ["OpsPortal:Backups:Folder"] = Folder,
        ["OpsPortal:Backups:MinFreeMegabytes"] = "1",
    };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var name in _databases)
        {
            await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        }
        Directory.Delete(Folder, recursive: true);
    }

    protected T Service<T>() where T : notnull => Factory.Services.GetRequiredService<T>();

    protected async Task<long> PortalTargetIdAsync(HttpClient client)
    {
        var targets = await client.GetFromJsonAsync<List<BackupTargetView>>("/api/backups/targets", Json);
        return targets!.Single(t => t.BuiltIn).Id;
    }

    /// <summary>POST …/run, then runs the queued backup here (what a job worker on any node does) and reads it back.</summary>
    protected async Task<BackupView> BackUpAsync(HttpClient client, long targetId)
    {
        var response = await client.PostAsync($"/api/backups/targets/{targetId}/run", null);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var queued = (await response.Content.ReadFromJsonAsync<BackupView>(Json))!;
        await Service<BackupRunner>().RunAsync(queued.Id, CancellationToken.None);
        return (await client.GetFromJsonAsync<BackupView>($"/api/backups/{queued.Id}", Json))!;
    }

    protected async Task<DrillView> DrillAsync(HttpClient client, long backupId)
    {
        var response = await client.PostAsync($"/api/backups/{backupId}/drill", null);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var queued = (await response.Content.ReadFromJsonAsync<DrillView>(Json))!;
        await Service<BackupDrills>().RunAsync(queued.Id, CancellationToken.None);
        return (await client.GetFromJsonAsync<DrillView>($"/api/backups/drills/{queued.Id}", Json))!;
    }

    /// <summary>A database of the team's on the test server (not the portal's), dropped after the test.</summary>
    protected async Task<string> CreateSourceDatabaseAsync(string setupSql)
    {
        var name = "bk_src_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteOnServerAsync($"CREATE DATABASE \"{name}\"");
        _databases.Add(name);
        var cs = new NpgsqlConnectionStringBuilder(TestDatabase.ServerConnectionString) { Database = name }.ConnectionString;
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
#pragma warning disable CA2100 // The test's own set-up SQL.
        await using var cmd = new NpgsqlCommand(setupSql, conn);
#pragma warning restore CA2100
        await cmd.ExecuteNonQueryAsync();
        return cs;
    }

    protected static async Task<bool> DatabaseExistsAsync(string name)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ServerConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = $1", conn);
        cmd.Parameters.AddWithValue(name);
        return (long)(await cmd.ExecuteScalarAsync())! > 0;
    }

    protected async Task<List<string>> EventKindsAsync(long targetId)
    {
        await using var db = Database.CreateContext();
        var id = targetId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await db.Events.Where(e => e.SubjectType == BackupEventKinds.SubjectType && e.SubjectId == id).OrderBy(e => e.Id).Select(e => e.Kind).ToListAsync();
    }

    private static async Task ExecuteOnServerAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(TestDatabase.ServerConnectionString);
        await conn.OpenAsync();
#pragma warning disable CA2100 // Names the test generated.
        await using var cmd = new NpgsqlCommand(sql, conn);
#pragma warning restore CA2100
        await cmd.ExecuteNonQueryAsync();
    }

    protected sealed record BackupTargetView(long Id, string Name, bool BuiltIn, string Server, string? Destination, string? StaleReason);

    protected sealed record BackupView(long Id, long TargetId, string Status, string? Location, long? SizeBytes, string? Sha256, Dictionary<string, long> RowCounts, string? Error, string? Label = null, string? Method = null);

    protected sealed record DrillView(long Id, long TargetId, long BackupId, string Status, double? RtoSeconds, List<DrillStep> Steps, string? FailedStep, string? Error);
}
