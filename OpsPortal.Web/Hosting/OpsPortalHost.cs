using MudBlazor.Services;
using OpsPortal.Core.Alerts;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Backups;
using OpsPortal.Core.Dashboards;
using OpsPortal.Core.Data;
using OpsPortal.Core.Demo;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Incidents;
using OpsPortal.Core.Logs;
using OpsPortal.Core.Markdown;
using OpsPortal.Core.Metrics;
using OpsPortal.Core.Notifications;
using OpsPortal.Core.OnCall;
using OpsPortal.Core.Services;
using OpsPortal.Core.Subscriptions;
using OpsPortal.Core.Tickets;
using OpsPortal.Core.Verification;
using OpsPortal.Core.Wiki;
using OpsPortal.Web.Api;
using OpsPortal.Web.Common;
using OpsPortal.Web.Components;
using OpsPortal.Web.Features.Alerts;
using OpsPortal.Web.Features.Auth;
using OpsPortal.Web.Features.Backups;
using OpsPortal.Web.Features.Dashboards;
using OpsPortal.Web.Features.Deploys;
using OpsPortal.Web.Features.Incidents;
using OpsPortal.Web.Features.Logs;
using OpsPortal.Web.Features.Logs.Ingest;
using OpsPortal.Web.Features.Logs.Search;
using OpsPortal.Web.Features.Metrics;
using OpsPortal.Web.Features.Notifications;
using OpsPortal.Web.Features.OnCall;
using OpsPortal.Web.Features.Search;
using OpsPortal.Web.Features.Services;
using OpsPortal.Web.Features.Tickets;
using OpsPortal.Web.Features.Verification;
using OpsPortal.Web.Features.Wiki;
using OpsPortal.Web.Jobs;
using OpsPortal.Web.Security;

namespace OpsPortal.Web.Hosting;

/// <summary>Composition of the web app: one <c>AddX()</c> per feature, kept in one readable place.</summary>
public static class OpsPortalHost
{
    public static WebApplicationBuilder AddOpsPortal(this WebApplicationBuilder builder)
    {
        var options = LoadOptions(builder.Configuration);
        // Serve library assets (MudBlazor's CSS/JS) from a build folder in every environment, not only
        // Development: run.sh and the tests run the build output. Published output needs no manifest.
        builder.WebHost.UseStaticWebAssets();
        // The last safety net: every loop is a BackgroundLoop, which never lets a failure out; should one
        // escape anyway, the portal keeps serving rather than stop (the default since .NET 6).
        builder.Services.Configure<HostOptions>(o => o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore);

        builder.Services.AddOpsData(options.ToConnections());
        builder.Services.AddOpsAuthServices();
        builder.Services.AddMarkdown();
        builder.Services.AddLogs();
        builder.Services.AddOpsMetrics();
        builder.Services.AddTickets();
        builder.Services.AddWiki();
        builder.Services.AddDeploys();
        builder.Services.AddIncidents();
        builder.Services.AddServiceCatalog();
        builder.Services.AddSingleton<ServiceOverviews>();
        builder.Services.AddSingleton<PortalSearch>();
        builder.Services.AddDeployVerification();
        builder.Services.AddAlerts();
        builder.Services.AddNotifications();
        builder.Services.AddSubscriptions();
        builder.Services.AddOnCall();
        builder.Services.AddBackups();
        builder.Services.AddDashboards();
        builder.Services.AddHostedService<DemoNotificationsSetup>();
        builder.Services.AddDemo();
        builder.AddOpsAuth();
        builder.Services.AddOpsJobs(options);
        builder.Services.AddOpsApi();
        builder.Services.AddOpsHttpSecurity();
        builder.Services.AddLogsRateLimits();

        builder.Services.AddRazorComponents().AddOpsCircuits();
        builder.Services.AddMudServices();
        return builder;
    }

    public static WebApplication UseOpsPortal(this WebApplication app)
    {
        app.UseOpsHttpSecurity();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Inside it, so it answers first: a browser's page request that ends in a bodiless error (an unknown
        // address, mostly) gets the shell's page saying so and a way back; API and other clients keep
        // answering problem details.
        app.UseWhen(IsPageNavigation,
            pages => pages.UseStatusCodePagesWithReExecute("/not-found", "?status={0}", createScopeForStatusCodePages: true));
        // Old wiki API addresses are rewritten before routing picks an endpoint.
        app.UseWikiLegacyAddresses();
        app.UseRouting();
        app.UseAuthentication();
        app.UseCrossSiteRequestGuard();
        app.UseAuthorization();
        // After authentication: limits are per user.
        app.UseRateLimiter();
        app.UseAntiforgery();

        app.MapStaticAssets().AllowAnonymous();
        app.MapOpsApi();
        app.MapAuthEndpoints();
        app.MapLogsIngest();
        app.MapLogsExport();
        app.MapLogsSearch();
        app.MapLogsTrends();
        app.MapSavedSearches();
        app.MapMetrics();
        app.MapTickets();
        app.MapTicketFilters();
        app.MapWikiApi();
        app.MapDeploys();
        app.MapIncidents();
        app.MapAlerts();
        app.MapServices();
        app.MapPortalSearch();
        app.MapDeployImpact();
        app.MapNotifications();
        app.MapOnCall();
        app.MapBackups();
        app.MapDashboards();
        app.MapAckLinks();
        app.MapDemoWebhookReceiver();
        app.MapOpsJobs();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    private static bool IsPageNavigation(HttpContext context) =>
        HttpMethods.IsGet(context.Request.Method)
        && !context.Request.Path.StartsWithSegments("/api")
        && context.Request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>Reads and checks the configuration, failing start-up with a message a person can act on.</summary>
    internal static OpsPortalOptions LoadOptions(IConfiguration config)
    {
        var options = config.GetSection(OpsPortalOptions.Section).Get<OpsPortalOptions>() ?? new OpsPortalOptions();
        options.Database = OpsPortalOptions.ResolveDatabase(config) ?? options.Database;
        options.DirectDatabase = config["OPSPORTAL_DIRECT_DATABASE"] is { Length: > 0 } direct ? direct : options.DirectDatabase;
        options.ReadDatabase = config["OPSPORTAL_READ_DATABASE"] is { Length: > 0 } read ? read : options.ReadDatabase;
        var result = new OpsPortalOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new InvalidOperationException("OpsPortal cannot start: " + result.FailureMessage);
        }
        return options;
    }
}
