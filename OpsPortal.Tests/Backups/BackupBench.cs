using System.Diagnostics;
using Npgsql;
using OpsPortal.Core.Backups;
using OpsPortal.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OpsPortal.Tests.Backups;

/// <summary>
/// Not a test of the suite: bench/backups/backup-vs-pgdump.sh runs it with OPSPORTAL_BENCH_SOURCE set, to time
/// the portal's backup and drill of a big database; without that variable it is skipped.
/// </summary>
public sealed class BackupBench(ITestOutputHelper output) : BackupsTestBase
{
    [BenchFact]
    public async Task BackupBench_BigDatabase_PrintsTimes()
    {
        var source = Environment.GetEnvironmentVariable("OPSPORTAL_BENCH_SOURCE")!;
        var targets = Service<BackupTargets>();
        var created = await targets.CreateAsync(As.Admin("bench"), new BackupTargetInput("bench", source,
            Environment.GetEnvironmentVariable("OPSPORTAL_BENCH_FOLDER") ?? Folder, null, null), CancellationToken.None);
        var target = created.Value;
        var watch = Stopwatch.StartNew();
        var queued = await Service<BackupRunner>().QueueAsync(As.Admin("bench"), target.Id, "manual", CancellationToken.None);
        await Service<BackupRunner>().RunAsync(queued.Value.Id, CancellationToken.None);
        var backupSeconds = watch.Elapsed.TotalSeconds;
        var backup = await Service<BackupHistory>().BackupAsync(queued.Value.Id, CancellationToken.None);
        Assert.Equal(BackupStatus.Succeeded, backup!.Status);
        output.WriteLine($"portal backup:  {backupSeconds:0.00} s ({backup.SizeBytes} bytes; dump + counts + sha256)");

        watch.Restart();
        var drill = await Service<BackupDrills>().QueueAsync(As.Admin("bench"), null, backup.Id, "manual", CancellationToken.None);
        await Service<BackupDrills>().RunAsync(drill.Value.Id, CancellationToken.None);
        var done = await Service<BackupHistory>().DrillAsync(drill.Value.Id, CancellationToken.None);
        Assert.Equal(DrillStatus.Passed, done!.Status);
        output.WriteLine($"portal drill:   {watch.Elapsed.TotalSeconds:0.00} s, RTO {done.RtoSeconds:0.00} s; steps: " +
            string.Join(", ", done.Steps.Select(s => $"{s.Name} {s.Seconds:0.00} s")));
        NpgsqlConnection.ClearAllPools();
    }
}

/// <summary>Runs only under the bench script (OPSPORTAL_BENCH_SOURCE set); skipped, and said so, in the suite.</summary>
public sealed class BenchFactAttribute : FactAttribute
{
    public BenchFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OPSPORTAL_BENCH_SOURCE")))
        {
            Skip = "a benchmark: bench/backups/backup-vs-pgdump.sh runs it";
        }
    }
}
