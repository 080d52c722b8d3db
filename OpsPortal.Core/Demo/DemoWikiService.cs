using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Wiki;

namespace OpsPortal.Core.Demo;

/// <summary>
/// In demo mode, starter runbooks for the demo services, each labelled demo. Created once: a page
/// that exists (or was moved) is left alone, so people can edit the demo pages freely.
/// </summary>
internal sealed class DemoWikiService(IOptions<DemoOptions> options, WikiService wiki, BackgroundHealth health, TimeProvider clock,
    ILogger<DemoWikiService> logger) : BackgroundLoop(health, clock, logger)
{
    protected override string LoopName => "demo.wiki";

    protected override async Task RunAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Demo)
        {
            return;
        }
        foreach (var page in DemoWikiPages.All)
        {
            if (await wiki.GetAsync(page.Slug, stoppingToken) is null)
            {
                await wiki.SaveAsync(Actor.System("demo"), page.Slug,
                    new WikiSaveRequest(page.Title, page.Body, null, "Demo: starter runbook", page.Services) { IsDemo = true }, stoppingToken);
            }
        }
        MarkHealthy();
    }
}
