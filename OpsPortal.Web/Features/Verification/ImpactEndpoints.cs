using Microsoft.AspNetCore.Http.HttpResults;
using OpsPortal.Core;
using OpsPortal.Core.Logs.Search;
using OpsPortal.Core.Verification;
using OpsPortal.Web.Common;

namespace OpsPortal.Web.Features.Verification;

public sealed record ImpactSideDto(DateTime From, DateTime To, long Requests, double RatePerMinute, double? ErrorRatio, double? P95, double? P99, double? MismatchRatio)
{
    public static ImpactSideDto Of(ImpactSide s) => new(s.From, s.To, s.Requests, s.RatePerMinute, s.ErrorRatio, s.P95, s.P99, s.MismatchRatio);
}
public sealed record ImpactHostDto(string? Host, ImpactSideDto Before, ImpactSideDto After, bool Judged);
public sealed record ImpactFindingDto(string? Host, string Metric, double? Before, double? After, double? PValue, bool LargeEnough, bool Regressed);
public sealed record ImpactPointDto(DateTime Start, long Requests, double? ErrorRatio, double? P95);
public sealed record ImpactAutoRollbackDto(string State, string? Detail, long? RollbackDeployId);
public sealed record ImpactDto(
    long DeployId, string Service, string Environment, string Action, string Version, string? PreviousVersion,
    string Verdict, string Reason, string? Selector, DateTimeOffset? SwitchAt, ImpactSideDto? Before, ImpactSideDto? After,
    IReadOnlyList<ImpactHostDto> Hosts, IReadOnlyList<ImpactFindingDto> Findings, double? BucketSeconds,
    IReadOnlyList<ImpactPointDto> BeforeSeries, IReadOnlyList<ImpactPointDto> AfterSeries,
    ImpactAutoRollbackDto? AutoRollback, string? LogsUrl, DateTimeOffset? EvaluatedAt, DateTimeOffset? JudgedAt)
{
    public static ImpactDto From(ImpactView v)
    {
        var all = v.Report?.All;
        return new(v.DeployId, v.Service, v.Environment, v.Action, v.Version, v.PreviousVersion, v.Verdict, v.Reason, v.Selector, v.SwitchAt,
            all is null ? null : ImpactSideDto.Of(all.Before), all is null ? null : ImpactSideDto.Of(all.After),
            v.Report?.Groups.Where(g => g.Host is not null).Select(g => new ImpactHostDto(g.Host, ImpactSideDto.Of(g.Before), ImpactSideDto.Of(g.After), g.Judged)).ToList() ?? [],
            v.Report?.Findings.Select(f => new ImpactFindingDto(f.Host, f.Metric, f.Before, f.After, f.PValue, f.Large, f.Regressed)).ToList() ?? [],
            v.Report?.Bucket.TotalSeconds, Points(all?.BeforeBuckets), Points(all?.AfterBuckets),
            v.AutoRollback is null ? null : new ImpactAutoRollbackDto(v.AutoRollback, v.AutoRollbackDetail, v.RollbackDeployId),
            v.LogsUrl, v.EvaluatedAt, v.JudgedAt);
    }

    private static List<ImpactPointDto> Points(IReadOnlyList<TrafficBucket>? buckets) =>
        buckets?.Select(b => new ImpactPointDto(b.Start, b.Requests, b.Requests == 0 ? null : (double)b.Errors / b.Requests, b.P95)).ToList() ?? [];
}

/// <summary>Deploy verification in the API: how a deploy's traffic compares before and after the switch.</summary>
public static class ImpactEndpoints
{
    public static IEndpointRouteBuilder MapDeployImpact(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/deploys").RequireAuthorization().WithTags("Deploys")
            .MapGet("/{id:long}/impact", GetAsync)
            .WithSummary("The deploy's impact: verdict (pending, watching, healthy, regressed, not_enough_traffic, skipped), the numbers before and after, per host, the tests, and the Logs link.");
        return app;
    }

    private static async Task<Results<Ok<ImpactDto>, ProblemHttpResult>> GetAsync(DeployImpacts impacts, long id, CancellationToken ct) =>
        await impacts.GetAsync(id, ct) is { } view
            ? TypedResults.Ok(ImpactDto.From(view))
            : Refusal.NotFound($"There is no deploy #{id}.").ToProblem();
}
