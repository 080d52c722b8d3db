using OpsPortal.Core.Logs.Search;

namespace OpsPortal.Core.Services;

/// <summary>A service's traffic right now, from its log selector: the last <see cref="ServiceHealth.Now"/> and an hour of graph.</summary>
public sealed record ServiceHealthNow(
    string Selector, DateTimeOffset From, DateTimeOffset To, long Requests, double RatePerMinute, double? ErrorRatio, double? P95, double? P99,
    TrafficSeries Series);

/// <summary>Health from the access logs through the catalog's selector — the same requests incidents and deploy verification look at.</summary>
public sealed class ServiceHealth(ServiceCatalog catalog, LogBuckets buckets, LogTraffic traffic, TimeProvider clock)
{
    /// <summary>"Now" is the last quarter of an hour: long enough for a p95, short enough to be now.</summary>
    public static readonly TimeSpan Now = TimeSpan.FromMinutes(15);

    public async Task<ServiceHealthNow> NowAsync(string service, CancellationToken ct = default)
    {
        var selector = (await catalog.SelectorAsync(service, null, ct)).Query;
        var to = clock.GetUtcNow();
        to = new DateTimeOffset(to.UtcTicks - to.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var from = to - Now;
        var all = (await buckets.ByHostAsync(selector, from.UtcDateTime, to.UtcDateTime, Now, maxHosts: 0, ct))[0];
        // The catalog checked the selector when it was saved; Value throws if it no longer parses.
        var series = (await traffic.TrafficAsync(selector, to - TimeSpan.FromHours(1), to, ct)).Value;
        return new ServiceHealthNow(selector, from, to, all.Requests, all.Requests / Now.TotalMinutes,
            all.Requests == 0 ? null : (double)all.Errors / all.Requests, all.P95, all.P99, series);
    }
}
