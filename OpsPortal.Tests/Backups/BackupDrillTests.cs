using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Backups;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Backups;

/// <summary>Backups of real databases with pg_dump and drills with pg_restore into scratch databases, through the API.</summary>
public sealed class BackupDrillTests : BackupsTestBase
{
    [Fact]
    public async Task BackupThenDrill_PortalDatabase_PassesWithRtoAndScratchDropped()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var targetId = await PortalTargetIdAsync(client);

        var backup = await BackUpAsync(client, targetId);

        Assert.Equal(BackupStatus.Succeeded, backup.Status);
        Assert.True(File.Exists(backup.Location), backup.Location);
        Assert.StartsWith(Folder, backup.Location, StringComparison.Ordinal);
        Assert.Equal(new FileInfo(backup.Location!).Length, backup.SizeBytes);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(backup.Location!))), backup.Sha256);
        // The signed-in admin's user row was counted in the dump's snapshot.
        Assert.True(backup.RowCounts["public.AspNetUsers"] >= 1, string.Join(", ", backup.RowCounts.Keys));
        Assert.Empty(Directory.GetFiles(Folder, "*.partial", SearchOption.AllDirectories));

        var drill = await DrillAsync(client, backup.Id);

        Assert.Equal(DrillStatus.Passed, drill.Status);
        Assert.True(drill.RtoSeconds > 0);
        Assert.Equal(
            [BackupDrills.StepCreate, BackupDrills.StepRestore, BackupDrills.StepChecksum, BackupDrills.StepRowCounts, BackupDrills.StepDrop],
            drill.Steps.Select(s => s.Name));
        Assert.All(drill.Steps, s => Assert.Equal("passed", s.Status));
        Assert.All(drill.Steps, s => Assert.True(s.Seconds >= 0));
        var scratch = drill.Steps.Single(s => s.Name == BackupDrills.StepCreate).Detail!;
        Assert.StartsWith($"opsportal_drill_{drill.Id}_", scratch, StringComparison.Ordinal);
        Assert.False(await DatabaseExistsAsync(scratch));
        Assert.Contains(BackupEventKinds.DrillPassed, await EventKindsAsync(targetId));
    }

    [Fact]
    public async Task Drill_CorruptedFile_FailsAtRestoreWithReasonAndWarns()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var targetId = await PortalTargetIdAsync(client);
        var backup = await BackUpAsync(client, targetId);
        // Flip bytes in the middle of the file: compressed table data that pg_restore must reject.
        var bytes = await File.ReadAllBytesAsync(backup.Location!);
        for (var i = bytes.Length / 2; i < (bytes.Length / 2) + 64; i++)
        {
            bytes[i] ^= 0xA5;
        }
        await File.WriteAllBytesAsync(backup.Location!, bytes);

        var drill = await DrillAsync(client, backup.Id);

        Assert.Equal(DrillStatus.Failed, drill.Status);
        Assert.Equal(BackupDrills.StepRestore, drill.FailedStep);
        Assert.Contains("pg_restore", drill.Error, StringComparison.Ordinal);
        Assert.Contains("sha256 differs", drill.Error, StringComparison.Ordinal);
        Assert.Equal("passed", drill.Steps.Single(s => s.Name == BackupDrills.StepDrop).Status);
        Assert.False(await DatabaseExistsAsync(drill.Steps.Single(s => s.Name == BackupDrills.StepCreate).Detail!));
        var status = (await Service<BackupHealth>().StatusAsync(CancellationToken.None)).Single(s => s.Target.Id == targetId);
        Assert.Contains(status.Problems, p => p.Contains("failed at restore", StringComparison.Ordinal));
        Assert.Contains(BackupEventKinds.WentStale, await EventKindsAsync(targetId));
    }

    [Fact]
    public async Task Drill_StaleDataInTeamDatabase_FailsAtFreshnessWithEvent()
    {
        var source = await CreateSourceDatabaseAsync("""
            CREATE TABLE orders (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL);
            INSERT INTO orders (created_at) SELECT now() - interval '3 days' - g * interval '1 minute' FROM generate_series(1, 500) g;
            """);
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var created = await client.PostAsJsonAsync("/api/backups/targets", new
        {
            name = "shop",
            connectionString = source,
            checks = new
            {
                freshness = new[] { new { table = "orders", column = "created_at", maxAgeHours = 24 } },
                assertions = new[] { new { name = "orders exist", sql = "SELECT count(*) = 500 FROM orders" } },
            },
        }, Json);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var target = (await created.Content.ReadFromJsonAsync<BackupTargetView>(Json))!;
        Assert.DoesNotContain("Password", await created.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        var backup = await BackUpAsync(client, target.Id);
        Assert.Equal(BackupStatus.Succeeded, backup.Status);
        Assert.Equal(500, backup.RowCounts["public.orders"]);

        var drill = await DrillAsync(client, backup.Id);

        Assert.Equal(DrillStatus.Failed, drill.Status);
        Assert.Equal(BackupDrills.StepFreshness, drill.FailedStep);
        Assert.Contains("orders.created_at", drill.Error, StringComparison.Ordinal);
        Assert.Contains("allowed 24 h", drill.Error, StringComparison.Ordinal);
        Assert.Equal("passed", drill.Steps.Single(s => s.Name == BackupDrills.StepRowCounts).Status);
        Assert.DoesNotContain(drill.Steps, s => s.Name == BackupDrills.StepAssertions);
        var kinds = await EventKindsAsync(target.Id);
        Assert.Contains(BackupEventKinds.DrillFailed, kinds);
        Assert.Contains(BackupEventKinds.WentStale, kinds);
    }

    [Fact]
    public async Task Drill_AssertionFalse_FailsAtAssertionsAndWritesNothing()
    {
        var source = await CreateSourceDatabaseAsync("CREATE TABLE items (id int); INSERT INTO items SELECT generate_series(1, 10);");
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var created = await client.PostAsJsonAsync("/api/backups/targets", new
        {
            name = "items",
            connectionString = source,
            checks = new { assertions = new[] { new { name = "a write is refused", sql = "WITH d AS (DELETE FROM items RETURNING 1) SELECT count(*) = 0 FROM d" } } },
        }, Json);
        var target = (await created.Content.ReadFromJsonAsync<BackupTargetView>(Json))!;
        var backup = await BackUpAsync(client, target.Id);

        var drill = await DrillAsync(client, backup.Id);

        Assert.True(drill.FailedStep == BackupDrills.StepAssertions, $"{drill.FailedStep}: {drill.Error}");
        Assert.Contains("read-only transaction", drill.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backup_UnreachableDatabase_FailsWithReasonAndNoPartialFile()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var created = await client.PostAsJsonAsync("/api/backups/targets", new
        {
            name = "gone",
            connectionString = "Host=127.0.0.1;Port=1;Database=nothing;Username=x;Password=secret-never-shown",
        }, Json);
        var target = (await created.Content.ReadFromJsonAsync<BackupTargetView>(Json))!;

        var backup = await BackUpAsync(client, target.Id);

        Assert.Equal(BackupStatus.Failed, backup.Status);
        Assert.False(string.IsNullOrEmpty(backup.Error));
        Assert.DoesNotContain("secret-never-shown", backup.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Folder, "*", SearchOption.AllDirectories));
        var listed = await client.GetStringAsync("/api/backups/targets");
        Assert.DoesNotContain("secret-never-shown", listed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WhileOneIsQueuedOnAnotherNode_RefusedWithConflict()
    {
        using var client = await ClientForAsync(AdminEmail, AdminPassword);
        var targetId = await PortalTargetIdAsync(client);
        await using var other = new OpsPortalFactory(Database);
        await other.StartAsync();
        using var otherClient = other.CreateClient();
        otherClient.DefaultRequestHeaders.Authorization = client.DefaultRequestHeaders.Authorization;

        var first = await client.PostAsync($"/api/backups/targets/{targetId}/run", null);
        var second = await otherClient.PostAsync($"/api/backups/targets/{targetId}/run", null);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
    }

    [Fact]
    public async Task Api_ViewerReadsWithoutLocations_AndCannotRun()
    {
        using var admin = await ClientForAsync(AdminEmail, AdminPassword);
        var targetId = await PortalTargetIdAsync(admin);
        await BackUpAsync(admin, targetId);
        await CreateUserAsync("viewer@test.local", "Viewer-password-1", Roles.Viewer);
        using var viewer = await ClientForAsync("viewer@test.local", "Viewer-password-1");

        var backups = await viewer.GetFromJsonAsync<List<BackupView>>($"/api/backups?target={targetId}", Json);
        var run = await viewer.PostAsync($"/api/backups/targets/{targetId}/run", null);
        var bad = await admin.PostAsJsonAsync("/api/backups/targets", new { name = "x", connectionString = "nonsense", schedule = "every day" }, Json);

        Assert.Single(backups!);
        Assert.Null(backups![0].Location);
        Assert.NotNull(backups[0].Sha256);
        Assert.Equal(HttpStatusCode.Forbidden, run.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadAsStringAsync();
        Assert.Contains("connectionString", problem, StringComparison.Ordinal);
        Assert.Contains("schedule", problem, StringComparison.Ordinal);
    }
}
