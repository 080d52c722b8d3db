using Microsoft.Extensions.Configuration;
using OpsPortal.Core.Data;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Markdown;
using OpsPortal.Core.Services;
using OpsPortal.Core.Tickets;
using OpsPortal.Core.Wiki;
using OpsPortal.Web.Features.Auth;

namespace OpsPortal.Tests.Web;

/// <summary>What a bunit test of a page that saves through Core needs: the database, the service catalog and the acting user.</summary>
internal static class FeatureComponentServices
{
    public static IServiceCollection AddCoreForPages(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddOpsData(connectionString);
        // The catalog (policies name services; settings follow them) reads the deploy configuration.
        services.AddMarkdown();
        services.AddTickets();
        services.AddWiki();
        services.AddDeploys();
        services.AddServiceCatalog();
        services.AddScoped<ActingUser>();
        return services;
    }
}
