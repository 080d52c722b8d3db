using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;
using OpsPortal.Core.Deploys;

namespace OpsPortal.Core.Demo;

/// <summary>
/// Makes the demo traffic follow demo deploys: after a successful deploy of <c>demo-web</c> whose version
/// ends in <c>-regress</c>, that environment's hosts get worse for ten minutes (until the next good
/// deploy or rollback), so deploy verification has something to find. Read from the deploys table on
/// every call, so it holds across restarts and whichever node simulates.
/// </summary>
internal static class DemoDeployFollower
{
    public const string Service = "demo-web";
    public const string RegressSuffix = "-regress";
    public static readonly TimeSpan RegressionLength = TimeSpan.FromMinutes(10);

    public static async Task FollowAsync(IDbContextFactory<OpsDbContext> dbFactory, TrafficSimulator simulator, DateTimeOffset now, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var latest = await db.Deploys
            .FromSql($"SELECT DISTINCT ON (environment) * FROM deploys WHERE service = {Service} AND status = {DeployStatus.Succeeded} ORDER BY environment, id DESC")
            .AsNoTracking().ToListAsync(ct);
        foreach (var environment in TrafficSimulator.EnvironmentHosts.Keys)
        {
            var deploy = latest.FirstOrDefault(d => d.Environment == environment);
            if (deploy is { FinishedAt: { } at } && deploy.Version.EndsWith(RegressSuffix, StringComparison.Ordinal) && now < at + RegressionLength)
            {
                simulator.Regress(environment, (at + RegressionLength).UtcDateTime);
            }
            else
            {
                simulator.Recover(environment);
            }
        }
    }
}
