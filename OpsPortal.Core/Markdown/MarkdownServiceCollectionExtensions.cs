using Microsoft.Extensions.DependencyInjection;

namespace OpsPortal.Core.Markdown;

public static class MarkdownServiceCollectionExtensions
{
    public static IServiceCollection AddMarkdown(this IServiceCollection services)
    {
        services.AddSingleton<MarkdownRenderer>();
        services.AddSingleton<MarkdownService>();
        return services;
    }
}
