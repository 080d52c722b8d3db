using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using OpsPortal.Core;
using OpsPortal.Core.Data;

namespace OpsPortal.Web.Api;

/// <summary>
/// <c>/health</c>: 200 while the database answers, 503 while it does not (a load balancer takes the node
/// out), and the state of every background loop of this node. Loop errors alone do not make it 503:
/// the node still serves. Signed-in callers also get the loops' error messages.
/// </summary>
public static class HealthSetup
{
    public const string DatabaseCheck = "database";
    public const string LoopsCheck = "loops";

    public static IServiceCollection AddOpsHealth(this IServiceCollection services)
    {
        // Singletons: the checks hold their own one-connection pool, not one per probe.
        services.AddSingleton<DatabaseHealthCheck>();
        services.AddSingleton<LoopsHealthCheck>();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>(DatabaseCheck)
            .AddCheck<LoopsHealthCheck>(LoopsCheck);
        return services;
    }

    public static IEndpointRouteBuilder MapOpsHealth(this IEndpointRouteBuilder app)
    {
        // Probes from load balancers carry no credentials; they get up or down and each loop's state.
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteAsync }).AllowAnonymous();
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var signedIn = context.User.Identity?.IsAuthenticated == true;
        var database = report.Entries.GetValueOrDefault(DatabaseCheck);
        var loops = context.RequestServices.GetRequiredService<BackgroundHealth>().Snapshot();
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        if (report.Status == HealthStatus.Unhealthy)
        {
            context.Response.Headers.RetryAfter = "5";
        }
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            database = new { status = database.Status == HealthStatus.Healthy ? "up" : "down", detail = database.Description },
            loops = loops.Select(l => new
            {
                name = l.Loop,
                ok = l.Error is null,
                failures = l.Failures,
                errorAt = l.ErrorAt,
                okAt = l.OkAt,
                error = signedIn ? l.Error : null,
            }),
        }, JsonSerializerOptions.Web, context.RequestAborted);
    }
}

/// <summary>
/// A <c>SELECT 1</c> on a pool of one connection of its own (short timeouts): it answers in a few
/// seconds at most, and tells "down" from "busy" (an exhausted request pool does not make it fail).
/// </summary>
internal sealed class DatabaseHealthCheck(DatabaseConnections connections) : IHealthCheck, IDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connections.HealthConnectionString);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Twice at most: the first attempt may meet the pooled connection the database's restart broke.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var cmd = _dataSource.CreateCommand("SELECT 1");
                await cmd.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (DatabaseFaults.IsTransient(ex) || ex is NpgsqlException or InvalidOperationException)
            {
                _dataSource.Clear();
                if (attempt == 2 || cancellationToken.IsCancellationRequested)
                {
                    return HealthCheckResult.Unhealthy("The database does not answer.");
                }
            }
        }
    }

    public void Dispose() => _dataSource.Dispose();
}

/// <summary>Degraded (still 200) while a background loop's last round failed.</summary>
internal sealed class LoopsHealthCheck(BackgroundHealth health) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failing = health.Snapshot().Where(l => l.Error is not null).Select(l => l.Loop).ToList();
        return Task.FromResult(failing.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded($"Failing: {string.Join(", ", failing)}"));
    }
}
