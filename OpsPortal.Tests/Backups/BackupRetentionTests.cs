using OpsPortal.Core.Backups;

namespace OpsPortal.Tests.Backups;

/// <summary>Keep N daily/weekly/monthly: which backups stay, and that exactly the others lose their files.</summary>
public sealed class BackupRetentionTests : BackupsTestBase
{
    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Keep_DailyWeeklyMonthly_NewestOfEachPeriod()
    {
        var backups = new (long Id, DateTimeOffset At)[]
        {
            (1, At("2026-10-03T02:00Z")), // October's newest: kept as a monthly
            (2, At("2026-11-02T02:00Z")),
            (3, At("2026-11-20T02:00Z")), // week 47: the second weekly
            (4, At("2026-11-30T02:00Z")), // November's newest: monthly (its week 49 is the newest's)
            (5, At("2026-12-03T02:00Z")), // daily
            (6, At("2026-12-04T01:00Z")),
            (7, At("2026-12-04T02:00Z")), // daily (newest of 4 Dec)
            (8, At("2026-12-05T02:00Z")), // newest: always
        };

        var keep = BackupRetention.Keep(backups, daily: 3, weekly: 2, monthly: 3);

        Assert.Equal([1, 3, 4, 5, 7, 8], keep.Order());
    }

    [Fact]
    public void Keep_NothingToKeepByPeriods_KeepsTheNewest()
    {
        var keep = BackupRetention.Keep([(1, At("2026-12-01T00:00Z")), (2, At("2026-12-02T00:00Z"))], 0, 0, 0);

        Assert.Equal([2], keep);
    }

    [Fact]
    public async Task Apply_KeepTwoDaily_DeletesExactlyTheOlderFilesAndKeepsTheRows()
    {
        var target = await Service<BackupTargets>().EnsureBuiltInAsync(CancellationToken.None);
        await using (var db = Database.CreateContext())
        {
            var t = await db.BackupTargets.FindAsync(target.Id);
            (t!.KeepDaily, t.KeepWeekly, t.KeepMonthly) = (2, 0, 0);
            var days = new[] { "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-03", "2026-12-04" };
            for (var i = 0; i < days.Length; i++)
            {
                var file = Path.Combine(Folder, $"b{i}.dump");
                await File.WriteAllTextAsync(file, "x");
                db.Backups.Add(new Backup
                {
                    TargetId = target.Id,
                    Trigger = "schedule",
                    RequestedBy = "test",
                    Status = BackupStatus.Succeeded,
                    QueuedAt = At($"{days[i]}T02:00Z").AddMinutes(i),
                    FinishedAt = At($"{days[i]}T02:00Z").AddMinutes(i),
                    Location = file,
                    Sha256 = "x",
                    SizeBytes = 1,
                });
            }
            // A failed backup has no file and is not retention's business.
            db.Backups.Add(new Backup { TargetId = target.Id, Trigger = "schedule", RequestedBy = "test", Status = BackupStatus.Failed, QueuedAt = At("2026-12-04T03:00Z"), Error = "x" });
            await db.SaveChangesAsync();
        }

        var deleted = await Service<BackupRetention>().ApplyAsync(target.Id, CancellationToken.None);

        Assert.Equal(3, deleted);
        Assert.Equal(["b3.dump", "b4.dump"], Directory.GetFiles(Folder).Select(Path.GetFileName).Order());
        await using var check = Database.CreateContext();
        Assert.Equal(6, check.Backups.Count());
        Assert.Equal(3, check.Backups.Count(b => b.DeletedAt != null));
        Assert.Contains(BackupEventKinds.BackupsPruned, await EventKindsAsync(target.Id));
    }
}
