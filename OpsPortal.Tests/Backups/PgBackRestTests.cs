using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Npgsql;
using OpsPortal.Core.Backups;

namespace OpsPortal.Tests.Backups;

/// <summary>
/// The pgBackRest method against a real local stanza (test.sh starts it: scripts/pgbackrest.sh): a backup read back
/// from pgbackrest info, drills restoring it into a scratch cluster that is always stopped and removed.
/// </summary>
public sealed class PgBackRestTests : BackupsTestBase
{
    private static readonly string Source = Setting("OPSPORTAL_TEST_PGBACKREST");
    private static readonly string Stanza = Setting("OPSPORTAL_TEST_PGBACKREST_STANZA");
    private static readonly string Config = Setting("OPSPORTAL_TEST_PGBACKREST_CONFIG");
    private static readonly string Scratch = Setting("OPSPORTAL_TEST_PGBACKREST_SCRATCH");

    private readonly List<string> _stanzaDatabases = [];

    protected override IReadOnlyDictionary<string, string>? Settings
    {
        get
        {
            var settings = BaseSettings;
            settings["OpsPortal:Backups:ScratchClusterFolder"] = Scratch;
            settings["OpsPortal:Backups:PgBackRestUser"] = Environment.GetEnvironmentVariable("OPSPORTAL_TEST_PGBACKREST_USER") ?? "";
            return settings;
        }
    }

    private static string Setting(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"The pgBackRest tests need {name}: test.sh starts a local stanza (scripts/pgbackrest.sh pgbackrest_stanza_start) and sets it.");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var name in _stanzaDatabases)
        {
            await ExecuteAsync(Source, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        }
    }

    [Fact]
    public async Task BackupThenDrill_LocalStanza_LabelFromInfoAndScratchClusterRemoved()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var target = await AddTargetAsync(client, "CREATE TABLE orders (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now()); INSERT INTO orders (created_at) SELECT now() FROM generate_series(1, 500);", maxAgeHours: 24);

        var backup = await BackUpAsync(client, target.Id);

        Assert.True(backup.Status == BackupStatus.Succeeded, backup.Error);
        Assert.Equal(BackupMethods.PgBackRest, backup.Method);
        Assert.Matches(@"\A\d{8}-\d{6}F(_\d{8}-\d{6}D)?\z", backup.Label);
        Assert.True(Directory.Exists(backup.Location), backup.Location);
        Assert.EndsWith($"/backup/{Stanza}/{backup.Label}", backup.Location, StringComparison.Ordinal);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(backup.Location!, "backup.manifest")))), backup.Sha256);
        Assert.True(backup.SizeBytes > 0);
        Assert.Equal(500, backup.RowCounts["public.orders"]);

        var drill = await DrillAsync(client, backup.Id);

        Assert.True(drill.Status == DrillStatus.Passed, $"{drill.FailedStep}: {drill.Error}");
        Assert.Equal(
            [BackupDrills.StepRestore, BackupDrills.StepChecksum, BackupDrills.StepStart, BackupDrills.StepRowCounts, BackupDrills.StepFreshness, BackupDrills.StepRemove],
            drill.Steps.Select(s => s.Name));
        Assert.All(drill.Steps, s => Assert.Equal("passed", s.Status));
        Assert.True(drill.RtoSeconds > 0);
        Assert.False(Directory.Exists(Path.Combine(Scratch, $"drill-{drill.Id}")));
    }

    [Fact]
    public async Task Drill_CorruptedRepositoryFile_FailsAtRestoreWithReasonAndRemovesScratch()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var target = await AddTargetAsync(client, "CREATE TABLE items AS SELECT g AS id, md5(g::text) AS payload FROM generate_series(1, 20000) g;");
        var backup = await BackUpAsync(client, target.Id);
        Assert.True(backup.Status == BackupStatus.Succeeded, backup.Error);
        // The table's own file in this backup (a database made for this test is new in every backup: never a reference to an older one).
        var relation = await ScalarAsync(target.ConnectionString, "SELECT pg_relation_filepath('items')");
        var file = Directory.GetFiles(Path.Combine(backup.Location!, "pg_data", Path.GetDirectoryName(relation)!), Path.GetFileName(relation) + "*").Single();
        var bytes = await File.ReadAllBytesAsync(file);
        for (var i = bytes.Length / 2; i < Math.Min(bytes.Length, (bytes.Length / 2) + 64); i++)
        {
            bytes[i] ^= 0xA5;
        }
        await File.WriteAllBytesAsync(file, bytes);

        var drill = await DrillAsync(client, backup.Id);

        Assert.Equal(DrillStatus.Failed, drill.Status);
        Assert.Equal(BackupDrills.StepRestore, drill.FailedStep);
        Assert.Contains("pgbackrest restore failed", drill.Error, StringComparison.Ordinal);
        Assert.Equal("passed", drill.Steps.Single(s => s.Name == BackupDrills.StepRemove).Status);
        Assert.False(Directory.Exists(Path.Combine(Scratch, $"drill-{drill.Id}")));
        Assert.Contains(BackupEventKinds.WentStale, await EventKindsAsync(target.Id));
    }

    [Fact]
    public async Task Drill_FreshnessFails_DrillFailedAndScratchClusterStopped()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var target = await AddTargetAsync(client, "CREATE TABLE orders (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL); INSERT INTO orders (created_at) SELECT now() - interval '3 days' FROM generate_series(1, 50);", maxAgeHours: 24);
        var backup = await BackUpAsync(client, target.Id);

        var drill = await DrillAsync(client, backup.Id);

        Assert.Equal(DrillStatus.Failed, drill.Status);
        Assert.Equal(BackupDrills.StepFreshness, drill.FailedStep);
        Assert.Contains("allowed 24 h", drill.Error, StringComparison.Ordinal);
        Assert.Equal("passed", drill.Steps.Single(s => s.Name == BackupDrills.StepStart).Status);
        Assert.Equal("passed", drill.Steps.Single(s => s.Name == BackupDrills.StepRemove).Status);
        Assert.False(Directory.Exists(Path.Combine(Scratch, $"drill-{drill.Id}")));
        Assert.Contains(BackupEventKinds.DrillFailed, await EventKindsAsync(target.Id));
    }

    [Fact]
    public async Task Sweep_ScratchClusterOfACrashedDrill_StoppedAndRemoved()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var target = await AddTargetAsync(client, "CREATE TABLE t (id int);");
        var backup = await BackUpAsync(client, target.Id);
        var stored = (await Service<BackupTargets>().FindAsync(target.Id, CancellationToken.None))!;
        // What a node that died mid-drill leaves: a restored folder with PostgreSQL running on it, and no running drill.
        var folder = Path.Combine(Scratch, $"drill-{900_000 + Random.Shared.Next(99_999)}");
        await Service<PgBackRest>().RestoreAsync(stored, backup.Label!, folder, CancellationToken.None);
        var version = (await Service<PgBackRest>().InfoAsync(stored, CancellationToken.None)).Version;
        await using var leftover = await Service<PgBackRest>().StartAsync(folder, version, "postgres", CancellationToken.None);
        var pid = int.Parse(File.ReadLines(Path.Combine(folder, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);

        await Service<BackupJobs>().SweepAsync(CancellationToken.None);

        Assert.False(Directory.Exists(folder));
        Assert.False(Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal), $"postmaster {pid} still runs");
    }

    [Fact]
    public async Task AddTarget_BadStanzaOrMissingConfig_RefusedPerField()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);

        var response = await client.PostAsJsonAsync("/api/backups/targets", new
        {
            name = "physical",
            connectionString = Source,
            method = "pgbackrest",
            stanza = "main; rm -rf /",
            pgBackRestConfig = "/nowhere/pgbackrest.conf",
        }, Json);
        var wrongMethod = await client.PostAsJsonAsync("/api/backups/targets", new { name = "x", connectionString = Source, method = "barman" }, Json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"stanza\"", problem, StringComparison.Ordinal);
        Assert.Contains("There is no file /nowhere/pgbackrest.conf", problem, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, wrongMethod.StatusCode);
        Assert.Contains("\"method\"", await wrongMethod.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<StanzaTarget> AddTargetAsync(HttpClient client, string setupSql, int? maxAgeHours = null)
    {
        var name = "bkr_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsync(Source, $"CREATE DATABASE \"{name}\"");
        _stanzaDatabases.Add(name);
        var connectionString = new NpgsqlConnectionStringBuilder(Source) { Database = name }.ConnectionString;
        await ExecuteAsync(connectionString, setupSql);
        var created = await client.PostAsJsonAsync("/api/backups/targets", new
        {
            name,
            connectionString,
            method = "pgbackrest",
            stanza = Stanza,
            pgBackRestConfig = Config,
            checks = maxAgeHours is { } hours ? new { freshness = new[] { new { table = "orders", column = "created_at", maxAgeHours = hours } } } : null,
        }, Json);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var target = (await created.Content.ReadFromJsonAsync<BackupTargetView>(Json))!;
        return new StanzaTarget(target.Id, connectionString);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
#pragma warning disable CA2100 // The test's own set-up SQL.
        await using var cmd = new NpgsqlCommand(sql, conn);
#pragma warning restore CA2100
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<string> ScalarAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
#pragma warning disable CA2100 // The test's own query.
        await using var cmd = new NpgsqlCommand(sql, conn);
#pragma warning restore CA2100
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    private sealed record StanzaTarget(long Id, string ConnectionString);
}
