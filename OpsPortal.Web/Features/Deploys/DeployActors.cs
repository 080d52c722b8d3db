using System.Security.Claims;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Deploys;
using OpsPortal.Web.Common;

namespace OpsPortal.Web.Features.Deploys;

public static class DeployActors
{
    /// <summary>The signed-in user as the deploy rules see them: name and highest role.</summary>
    public static DeployActor From(ClaimsPrincipal user) =>
        new(user.Identity?.Name ?? "unknown", Roles.Top(Roles.All.Where(user.IsInRole)));

    public static int StatusCode(this DeployRefusal refusal) => refusal.Kind.StatusCode();
}
