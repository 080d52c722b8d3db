using System.Globalization;
using System.Text;
using OpsPortal.Core.Incidents;

namespace OpsPortal.Web.Features.Incidents;

/// <summary>The metrics page's numbers per week or month as CSV (seconds; empty where undefined).</summary>
public static class IncidentMetricsCsv
{
    public static string Write(IEnumerable<MetricBucket> buckets)
    {
        var b = new StringBuilder("period_start,incidents");
        foreach (var name in new[] { "mttd", "mtta", "mttr", "mtbf" })
        {
            b.Append(CultureInfo.InvariantCulture, $",{name}_mean,{name}_median,{name}_p90,{name}_samples,{name}_excluded");
        }
        b.Append('\n');
        foreach (var bucket in buckets)
        {
            var m = bucket.Metrics;
            b.Append(bucket.Start.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(',').Append(m.Count);
            foreach (var s in new[] { m.Mttd, m.Mtta, m.Mttr, m.Mtbf })
            {
                b.Append(CultureInfo.InvariantCulture, $",{N(s.Mean)},{N(s.Median)},{N(s.P90)},{s.Samples},{s.Excluded}");
            }
            b.Append('\n');
        }
        return b.ToString();
    }

    private static string N(double? v) => v?.ToString("0.###", CultureInfo.InvariantCulture) ?? "";
}
