using MudBlazor;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Deploys.Config;

namespace OpsPortal.Web.Features.Deploys;

/// <summary>The buttons' actions, shared by the Deploys board and a deploy's page.</summary>
public static class DeployActions
{
    private static readonly DialogOptions Options = new() { MaxWidth = MaxWidth.Small, FullWidth = true, CloseOnEscapeKey = true };

    public static Task OpenDeployAsync(IDialogService dialogs, EnvironmentConfig target, string? currentVersion) =>
        dialogs.ShowAsync<DeployDialog>($"Deploy {target.Service}", new DialogParameters<DeployDialog>
        {
            { d => d.Target, target },
            { d => d.CurrentVersion, currentVersion },
        }, Options);

    public static Task OpenRollbackAsync(IDialogService dialogs, EnvironmentConfig target, Deploy latest, string? currentVersion) =>
        dialogs.ShowAsync<DeployDialog>($"Roll back {target.Service}", new DialogParameters<DeployDialog>
        {
            { d => d.Target, target },
            { d => d.CurrentVersion, currentVersion },
            { d => d.RollbackOf, latest },
        }, Options);

    public static async Task<DeployRefusal?> CancelAsync(IDialogService dialogs, IServiceScopeFactory scopes, DeployActor actor, Deploy deploy)
    {
        var confirmed = await dialogs.ShowMessageBoxAsync(new MessageBoxOptions
        {
            Title = $"Cancel {DeployStarter.Describe(deploy)}?",
            Message = "The script gets SIGTERM, then is killed with everything it started if it has not stopped after the grace period. What it already changed stays changed.",
            YesText = "Cancel the deploy",
            CancelText = "Keep it running",
        });
        if (confirmed != true)
        {
            return null;
        }
        await using var scope = scopes.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<DeployStarter>().CancelAsync(actor, deploy.Id)).Refusal;
    }
}
