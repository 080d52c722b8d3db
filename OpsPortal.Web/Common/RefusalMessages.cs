using MudBlazor;
using OpsPortal.Core;

namespace OpsPortal.Web.Common;

/// <summary>The one mapping of a <see cref="Refusal"/> to what a page shows when it has no inline place for it: a snackbar.</summary>
public static class RefusalMessages
{
    /// <summary>Shows the refusal, if any; returns true when the operation succeeded.</summary>
    public static bool ShowIfRefused(this ISnackbar snackbar, Refusal? refusal)
    {
        if (refusal is null)
        {
            return true;
        }
        snackbar.Add(refusal.Message, Severity(refusal.Kind));
        return false;
    }

    public static Severity Severity(RefusalKind kind) =>
        kind is RefusalKind.Unavailable or RefusalKind.Conflict or RefusalKind.Throttled ? MudBlazor.Severity.Warning : MudBlazor.Severity.Error;
}
