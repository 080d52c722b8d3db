namespace OpsPortal.Core.Auth;

/// <summary>
/// Who performs an operation: the signed-in user's name (email) and highest role, or a named part
/// of the portal itself (a job, the alert evaluator). Every Core operation that changes something
/// takes one and writes <see cref="Name"/> to the events spine. Web builds it in one place
/// (<c>Actors.From</c>); Core never reads claims.
/// </summary>
public sealed record Actor(string Name, string Role)
{
    /// <summary>The portal acting on its own (jobs, recovery, demo); it holds every right.</summary>
    public static Actor System(string part) => new($"system:{part}", Roles.Admin);

    public bool IsSystem => Name.StartsWith("system:", StringComparison.Ordinal);

    /// <summary>True when the actor's role includes <paramref name="role"/> (Admin ⊃ Engineer ⊃ Viewer).</summary>
    public bool Has(string role) => Roles.Implied(Role).Contains(role);
}
