using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpsPortal.Core.Metrics.Ingest;
using OpsPortal.Core.Metrics.Queries;
using OpsPortal.Core.Metrics.Rollups;
using OpsPortal.Core.Metrics.Storage;

namespace OpsPortal.Core.Metrics;

public static class MetricsServiceCollectionExtensions
{
    public static IServiceCollection AddOpsMetrics(this IServiceCollection services)
    {
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section)
            // OPSPORTAL_STATSD_PORT / OPSPORTAL_GRAPHITE_PORT, as run.sh and docker-compose name them, win over the section.
            .PostConfigure<IConfiguration>((o, config) =>
            {
                o.StatsdPort = Port(config[MetricsOptions.StatsdPortVariable], o.StatsdPort);
                o.GraphitePort = Port(config[MetricsOptions.GraphitePortVariable], o.GraphitePort);
            })
            .Validate(o => o.StatsdPort is >= 0 and <= 65535,
                $"{MetricsOptions.StatsdPortVariable} ({MetricsOptions.Section}:StatsdPort) must be a port number, or 0 to turn StatsD off.")
            .Validate(o => o.GraphitePort is >= 0 and <= 65535,
                $"{MetricsOptions.GraphitePortVariable} ({MetricsOptions.Section}:GraphitePort) must be a port number, or 0 to turn Graphite off.")
            .Validate(o => o.StatsdPort == 0 || o.StatsdPort != o.GraphitePort,
                "StatsD and Graphite need different ports.")
            .Validate(o => IPAddress.TryParse(o.BindAddress, out _),
                $"{MetricsOptions.Section}:BindAddress must be an IP address, such as 0.0.0.0, :: or 127.0.0.1.")
            .Validate(o => o.FlushInterval >= TimeSpan.FromSeconds(1) && o.FlushInterval <= TimeSpan.FromMinutes(1)
                           && TimeSpan.FromMinutes(1).Ticks % o.FlushInterval.Ticks == 0 && o.FlushInterval.Ticks % TimeSpan.TicksPerSecond == 0,
                $"{MetricsOptions.Section}:FlushInterval must be whole seconds that divide a minute (1 s … 60 s; 10 s by default).")
            .Validate(o => o.RawRetentionDays >= 1 && o.MinuteRetentionDays >= o.RawRetentionDays && o.HourRetentionMonths >= 1
                           && o.HourRetentionMonths * 28 >= o.MinuteRetentionDays,
                $"{MetricsOptions.Section}: retention must be RawRetentionDays ≥ 1, MinuteRetentionDays ≥ RawRetentionDays, and HourRetentionMonths covering MinuteRetentionDays.")
            .Validate(o => o.MaxSeriesPerInterval >= 1 && o.MaxPendingIntervals >= 1,
                $"{MetricsOptions.Section}:MaxSeriesPerInterval and MaxPendingIntervals must be at least 1.")
            .Validate(o => o.RollupInterval >= TimeSpan.FromMilliseconds(100) && o.RollupInterval <= TimeSpan.FromHours(1),
                $"{MetricsOptions.Section}:RollupInterval must be between 00:00:00.100 and 01:00:00.")
            .ValidateOnStart();
        services.AddSingleton<MetricNode>();
        services.AddSingleton<MetricIngest>();
        services.AddSingleton<MetricWriter>();
        services.AddSingleton<MetricNodeReporter>();
        services.AddSingleton<MetricListener>();
        services.AddHostedService(sp => sp.GetRequiredService<MetricListener>());
        services.AddSingleton<MetricFlusher>();
        services.AddHostedService(sp => sp.GetRequiredService<MetricFlusher>());
        services.AddSingleton<MetricRollupJob>();
        services.AddHostedService<MetricRollupService>();
        services.AddTransient<MetricMaintenanceJob>();
        services.AddSingleton<MetricQueries>();
        return services;
    }

    private static int Port(string? text, int configured) =>
        string.IsNullOrWhiteSpace(text) ? configured
        : int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : -1;
}
