using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Npgsql;
using OpsPortal.Core.Backups;
using OpsPortal.Core.Processes;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Backups;

/// <summary>The portal's own recovery: its backup restored onto an empty cluster (what ./run.sh --restore does) is the same portal.</summary>
public sealed class PortalRestoreTests : BackupsTestBase
{
    [Fact]
    public async Task Restore_PortalBackupOntoEmptyCluster_ServesSameTicketsAndAcceptsExistingToken()
    {
        var token = await GetTokenAsync(AdminEmail, AdminPassword, "before-the-loss");
        using var client = ClientWithToken(token);
        var ticket = await client.PostAsJsonAsync("/api/tickets", new { title = "Survives the restore", priority = "P2" });
        Assert.Equal(HttpStatusCode.Created, ticket.StatusCode);
        var backup = await BackUpAsync(client, await PortalTargetIdAsync(client));
        Assert.Equal(BackupStatus.Succeeded, backup.Status);

        await using var cluster = await OwnedPostgres.StartAsync();
        await using (var conn = new NpgsqlConnection(cluster.ConnectionString("postgres")))
        {
            await conn.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE opsportal", conn);
            await create.ExecuteNonQueryAsync();
        }
        var restored = cluster.ConnectionString("opsportal");
        // The same command ./run.sh --restore runs: password in the environment, never on the command line.
        var result = await Service<ProcessLauncher>().RunAsync(new ProcessSpec(Service<PgTools>().Program("pg_restore"), Folder)
        {
            Arguments = ["--exit-on-error", "--no-owner", "--no-privileges", "--dbname", "opsportal", backup.Location!],
            Environment = PgTools.Environment(restored),
            Timeout = TimeSpan.FromMinutes(5),
        });
        Assert.True(result.Exit.ExitCode == 0, result.Error);
        await TestDatabase.MigrateAsync(restored);

        await using var portal = new OpsPortalFactory(TestDatabase.Existing("opsportal", restored));
        await portal.StartAsync();
        using var after = portal.CreateClient();
        after.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var tickets = await after.GetAsync("/api/tickets");
        Assert.Equal(HttpStatusCode.OK, tickets.StatusCode);
        Assert.Contains("Survives the restore", await tickets.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
