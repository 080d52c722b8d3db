using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Deploys.Config;

namespace OpsPortal.Core.Deploys.Running;

/// <summary>
/// Posts Slack-compatible JSON (<c>{"text": …}</c>, also accepted by Mattermost, Rocket.Chat and Teams
/// workflows) to the configured webhook on start, success, failure and rollback. A failing webhook is
/// logged (without its URL, which is a secret) and never fails the deploy.
/// </summary>
public sealed partial class DeployWebhook(
    IHttpClientFactory httpFactory,
    DeployConfigStore configs,
    IOptions<DeployOptions> options,
    ILogger<DeployWebhook> logger)
{
    public const string HttpClientName = "deploy-webhook";

    public enum Moment
    {
        Started,
        Finished,
    }

    internal async Task NotifyAsync(Deploy deploy, Moment moment)
    {
        if (configs.Current.Config?.WebhookUrl is not { } url)
        {
            return;
        }
        try
        {
            using var client = httpFactory.CreateClient(HttpClientName);
            client.Timeout = TimeSpan.FromSeconds(5);
            using var response = await client.PostAsJsonAsync(url, new { text = Text(deploy, moment, options.Value.PublicUrl) });
            if (!response.IsSuccessStatusCode)
            {
                LogRejected(deploy.Id, (int)response.StatusCode);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            LogFailed(deploy.Id, ex.GetType().Name);
        }
    }

    /// <summary>The message: what, who, old → new version, duration, and a link to the deploy's page.</summary>
    internal static string Text(Deploy deploy, Moment moment, string? publicUrl)
    {
        var icon = moment == Moment.Started ? "🚀" : deploy.Status switch
        {
            DeployStatus.Succeeded => "✅",
            DeployStatus.Cancelled => "⏹",
            _ => "❌",
        };
        var what = deploy.Action == DeployAction.Rollback ? "Rollback" : "Deploy";
        var state = moment == Moment.Started ? "started" : deploy.Status;
        var link = publicUrl is null ? $"#{deploy.Id}" : $"<{publicUrl.TrimEnd('/')}/deploys/{deploy.Id}|#{deploy.Id}>";
        var text = $"{icon} {what} {link} of {deploy.Service} to {deploy.Environment} {state} by {deploy.RequestedBy}: " +
            $"{deploy.PreviousVersion ?? "(none)"} → {deploy.Version}";
        if (moment == Moment.Finished)
        {
            if (deploy.Duration is { } d)
            {
                text += string.Create(CultureInfo.InvariantCulture, $" in {d.TotalSeconds:0.#} s");
            }
            text += $" ({deploy.Outcome})";
        }
        return text;
    }

    [LoggerMessage(LogLevel.Warning, "Deploy webhook for deploy {DeployId} answered HTTP {Status}")]
    private partial void LogRejected(long deployId, int status);

    [LoggerMessage(LogLevel.Warning, "Deploy webhook for deploy {DeployId} failed: {Error}")]
    private partial void LogFailed(long deployId, string error);
}
