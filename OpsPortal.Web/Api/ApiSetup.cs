using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Scalar.AspNetCore;

namespace OpsPortal.Web.Api;

/// <summary>The plumbing every API shares: problem details, OpenAPI with a browsable UI, health.</summary>
public static class ApiSetup
{
    public static IServiceCollection AddOpsApi(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddOpenApi();
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return services;
    }

    public static IEndpointRouteBuilder MapOpsApi(this IEndpointRouteBuilder app)
    {
        // Probes from load balancers carry no credentials; the answer reveals only up or down.
        app.MapHealthChecks("/health").AllowAnonymous();
        app.MapOpenApi();
        // Served from the portal alone: no fonts or scripts from Scalar's CDN, no telemetry; its inline
        // script carries a per-request nonce that SecurityHeaders puts into the CSP.
        app.MapScalarApiReference("/api/docs", o => o.WithTitle("OpsPortal API").DisableDefaultFonts().DisableTelemetry().WithNonce());
        return app;
    }
}

internal sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand("SELECT 1");
            await cmd.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("The database does not answer.");
        }
    }
}
