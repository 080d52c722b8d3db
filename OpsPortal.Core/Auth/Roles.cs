namespace OpsPortal.Core.Auth;

/// <summary>The three roles (docs/security.md). Each role includes the rights of the ones before it.</summary>
public static class Roles
{
    public const string Viewer = "Viewer";
    public const string Engineer = "Engineer";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [Viewer, Engineer, Admin];

    /// <summary>Role names a user holds for a given top role (Admin implies Engineer implies Viewer).</summary>
    internal static IReadOnlyList<string> Implied(string role) => role switch
    {
        Admin => [Viewer, Engineer, Admin],
        Engineer => [Viewer, Engineer],
        Viewer => [Viewer],
        _ => throw new ArgumentException($"Unknown role '{role}'. Expected one of: {string.Join(", ", All)}.", nameof(role)),
    };

    public static bool IsValid(string? role) => role is not null && All.Contains(role);

    /// <summary>The highest role among the given ones.</summary>
    public static string Top(IEnumerable<string> roles)
    {
        var set = roles.ToHashSet(StringComparer.Ordinal);
        return set.Contains(Admin) ? Admin : set.Contains(Engineer) ? Engineer : Viewer;
    }
}
