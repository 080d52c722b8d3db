using OpsPortal.Core.Metrics.Queries;
using OpsPortal.Core.Services;

namespace OpsPortal.Core.Dashboards;

/// <summary>
/// The dashboard every catalogued service has without anyone building it: requests, 5xx ratio and backend
/// latency from its log selector, and the metrics it sends under its own name (<c>NAME.*</c>: timers as p95,
/// counters as a rate, gauges as their last value). Generated on each read, never stored.
/// </summary>
public sealed class ServiceDashboards(ServiceCatalog catalog, MetricQueries metrics)
{
    public const int MaxMetricPanels = 6;

    public async Task<Result<Dashboard>> ForServiceAsync(string name, CancellationToken ct)
    {
        if (await catalog.FindAsync(name, ct) is not { } service)
        {
            return Refusal.NotFound($"The catalog has no service '{name}'.");
        }
        var selector = service.LogSelector;
        List<PanelSpec> panels =
        [
            new() { Title = "Requests / s", Source = PanelSource.Logs, Query = selector, Measure = "rate", Display = PanelDisplay.Area, Width = 4, CompareLastWeek = true },
            new() { Title = "5xx %", Source = PanelSource.Logs, Query = selector, Measure = "error_ratio", Display = PanelDisplay.Line, Width = 4 },
            new() { Title = "p95 backend time", Source = PanelSource.Logs, Query = selector, Measure = "p95", Display = PanelDisplay.Line, Width = 4 },
            new() { Title = "Requests by path", Source = PanelSource.Logs, Query = selector, Measure = "requests", Split = "path", Display = PanelDisplay.Table, Width = 6 },
            new() { Title = "4xx %", Source = PanelSource.Logs, Query = selector, Measure = "client_error_ratio", Display = PanelDisplay.Line, Width = 6 },
        ];
        var names = await metrics.NamesAsync(service.Name + ".", ct);
        panels.AddRange(names.Take(MaxMetricPanels).Select(m => new PanelSpec
        {
            Title = m.Name,
            Source = PanelSource.Metric,
            Query = m.Name,
            Width = 4,
            Display = PanelDisplay.Line,
            Measure = m.Type switch { "timer" => "p95", "counter" => "rate", "gauge" => "last", _ => "max" },
        }));
        return new Dashboard
        {
            Id = 0,
            Title = $"{service.Name} (generated)",
            Description = $"Generated from the catalog: log selector {selector} and metrics {service.Name}.*",
            Panels = panels,
            CreatedBy = "system",
            UpdatedBy = "system",
        };
    }
}
