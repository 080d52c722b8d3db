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

    /// <summary>Promotes the version <paramref name="from"/> runs (<paramref name="version"/>, as shown) to <paramref name="target"/>.</summary>
    public static Task OpenPromoteAsync(IDialogService dialogs, EnvironmentConfig target, string from, string version) =>
        dialogs.ShowAsync<DeployDialog>($"Promote {target.Service}", new DialogParameters<DeployDialog>
        {
            { d => d.Target, target },
            { d => d.PromoteFrom, from },
            { d => d.PromoteVersion, version },
        }, Options);

    /// <summary>Asks for confirmation, then releases the lock or freeze as the signed-in user; null when released or not confirmed.</summary>
    public static async Task<Refusal?> UnlockAsync(IDialogService dialogs, ActingUser acting, DeployLocks locks, DeployLock held)
    {
        var confirmed = await dialogs.ShowMessageBoxAsync(new MessageBoxOptions
        {
            Title = held.IsFreeze ? "Lift the freeze?" : $"Unlock {held.Service}/{held.Environment}?",
            Message = $"{DeployGuard.Describe(held)}. Deploys can start again as soon as it is released.",
            YesText = held.IsFreeze ? "Lift the freeze" : "Unlock",
            CancelText = "Keep it",
        });
        if (confirmed != true)
        {
            return null;
        }
        return (await acting.RunAsync(AuthSetup.EngineerPolicy, actor => locks.UnlockAsync(actor, held.Id))).Refusal;
    }

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
