using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Npgsql;
using OpsPortal.Core.Data;
using OpsPortal.Core.Metrics;
using OpsPortal.Core.Metrics.Ingest;
using OpsPortal.Core.Metrics.Queries;
using OpsPortal.Core.Metrics.Rollups;
using OpsPortal.Core.Metrics.Storage;
using OpsPortal.Tests.Infrastructure;

namespace OpsPortal.Tests.Metrics;

/// <summary>
/// One metrics node on a real database, built as the app builds it (<c>AddOpsMetrics()</c>), on a clock
/// the test moves: values go in through <see cref="MetricIngest"/> as the listener hands them over,
/// <see cref="FlushAsync"/> writes closed intervals, and the job, queries and maintenance are the app's.
/// </summary>
internal sealed class MetricTestNode : IAsyncDisposable
{
    private MetricTestNode(ServiceProvider services, FixedClock clock)
    {
        Services = services;
        Clock = clock;
    }

    public ServiceProvider Services { get; }
    public FixedClock Clock { get; }
    public MetricIngest Ingest => Services.GetRequiredService<MetricIngest>();
    public MetricWriter Writer => Services.GetRequiredService<MetricWriter>();
    public MetricNode Node => Services.GetRequiredService<MetricNode>();
    public MetricRollupJob Rollup => Services.GetRequiredService<MetricRollupJob>();
    public MetricQueries Queries => Services.GetRequiredService<MetricQueries>();
    public MetricMaintenanceJob Maintenance => Services.GetRequiredService<MetricMaintenanceJob>();
    public NpgsqlDataSource DataSource => Services.GetRequiredService<NpgsqlDataSource>();

    /// <summary>A node on <paramref name="database"/>; several nodes may share one database and one clock.</summary>
    public static MetricTestNode Create(TestDatabase database, FixedClock clock, IDictionary<string, string?>? settings = null)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"{MetricsOptions.Section}:StatsdPort"] = "0",
        }.Concat(settings ?? new Dictionary<string, string?>())).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddLogging();
        services.AddOpsData(database.ConnectionString);
        services.AddOpsMetrics();
        services.AddSingleton<TimeProvider>(clock);
        return new MetricTestNode(services.BuildServiceProvider(), clock);
    }

    public void Send(string packet) => Ingest.Receive(Encoding.UTF8.GetBytes(packet), MetricProtocol.StatsdUdp, null);

    /// <summary>Writes every closed interval, and with <paramref name="all"/> the open one.</summary>
    public async Task FlushAsync(bool all = true)
    {
        foreach (var interval in Ingest.TakeCompleted(all))
        {
            Assert.True(await Writer.WriteAsync(Node.Id, interval, CancellationToken.None));
        }
    }

    public async Task<MetricSeriesResult> SeriesAsync(string name, DateTime from, DateTime to, string step, string? fn = null,
        string? groupBy = null, MetricKind? kind = null)
    {
        var result = await Queries.SeriesAsync(new MetricSeriesQuery(name, new DateTimeOffset(from), new DateTimeOffset(to),
            OpsPortal.Web.Features.Metrics.MetricsEndpoints.ParseStep(step), fn, groupBy, kind), CancellationToken.None);
        Assert.True(result.Succeeded, result.Refusal?.Message);
        return result.Value;
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var cmd = DataSource.CreateCommand(sql);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync() => await Services.DisposeAsync();
}
