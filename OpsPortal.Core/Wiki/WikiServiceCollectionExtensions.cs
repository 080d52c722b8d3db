using Markdig;
using Microsoft.Extensions.DependencyInjection;
using OpsPortal.Core.Markdown;

namespace OpsPortal.Core.Wiki;

public static class WikiServiceCollectionExtensions
{
    public static IServiceCollection AddWiki(this IServiceCollection services)
    {
        services.AddOptions<WikiOptions>().BindConfiguration(WikiOptions.Section)
            .Validate(o => o.StaleAfterMonths is >= 1 and <= 120, "OpsPortal:Wiki:StaleAfterMonths must be between 1 and 120.")
            .Validate(o => o.MaxImageBytes is >= 1024 and <= 50 * 1024 * 1024, "OpsPortal:Wiki:MaxImageBytes must be between 1024 and 52428800.")
            .Validate(o => o.MaxBodyLength is >= 1000 and <= 500_000, "OpsPortal:Wiki:MaxBodyLength must be between 1000 and 500000.")
            .ValidateOnStart();
        services.AddSingleton<WikiService>();
        services.AddSingleton<WikiSearch>();
        services.AddSingleton<IMarkdownExtension, WikiMarkdownExtension>();
        services.AddSingleton<IMarkdownEnricher, WikiLinkEnricher>();
        services.AddSingleton<WikiRenderer>();
        services.AddSingleton<WikiPresence>();
        services.AddHostedService(sp => sp.GetRequiredService<WikiPresence>());
        return services;
    }
}
