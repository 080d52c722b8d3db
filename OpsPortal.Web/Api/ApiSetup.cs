using Scalar.AspNetCore;

namespace OpsPortal.Web.Api;

/// <summary>The plumbing every API shares: problem details, OpenAPI with a browsable UI, health (<see cref="HealthSetup"/>).</summary>
public static class ApiSetup
{
    public static IServiceCollection AddOpsApi(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<DatabaseFaultHandler>();
        services.AddOpenApi();
        services.AddOpsHealth();
        return services;
    }

    public static IEndpointRouteBuilder MapOpsApi(this IEndpointRouteBuilder app)
    {
        app.MapOpsHealth();
        app.MapOpenApi();
        // Served from the portal alone: no fonts or scripts from Scalar's CDN, no telemetry; its inline
        // script carries a per-request nonce that SecurityHeaders puts into the CSP.
        app.MapScalarApiReference("/api/docs", o => o.WithTitle("OpsPortal API").DisableDefaultFonts().DisableTelemetry().WithNonce());
        return app;
    }
}
