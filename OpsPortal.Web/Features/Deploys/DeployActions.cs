using MudBlazor;
using OpsPortal.Core;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Deploys.Config;
using OpsPortal.Web.Features.Auth;

namespace OpsPortal.Web.Features.Deploys;

/// <summary>The buttons' actions, shared by the Deploys board and a deploy's page.</summary>
public static class DeployActions
{
    private static readonly DialogOptions Options = new() { MaxWidth = MaxWidth.Small, FullWidth = true, CloseOnEscapeKey = true };

    public static Task OpenDeployAsync(IDialogService dialogs, EnvironmentConfig target) =>
        dialogs.ShowAsync<DeployDialog>($"Deploy {target.Service}", new DialogParameters<DeployDialog>
        {
            { d => d.Target, target },
        }, Options);

    public static Task OpenRollbackAsync(IDialogService dialogs, EnvironmentConfig target, Deploy latest) =>
        dialogs.ShowAsync<DeployDialog>($"Roll back {target.Service}", new DialogParameters<DeployDialog>
        {
            { d => d.Target, target },
            { d => d.RollbackOf, latest },
        }, Options);

    /// <summary>Asks for confirmation, then requests the cancel as the signed-in user; null when it was requested or not confirmed.</summary>
    public static async Task<Refusal?> CancelAsync(IDialogService dialogs, ActingUser acting, DeployStarter starter, Deploy deploy)
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
        return (await acting.RunAsync(AuthSetup.EngineerPolicy, actor => starter.CancelAsync(actor, deploy.Id))).Refusal;
    }
}
