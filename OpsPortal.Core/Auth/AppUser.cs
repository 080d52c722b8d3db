using Microsoft.AspNetCore.Identity;

namespace OpsPortal.Core.Auth;

public class AppUser : IdentityUser
{
    public string DisplayName { get; set; } = "";

    /// <summary>A disabled user cannot sign in and their API tokens stop working; history keeps their name.</summary>
    public bool IsDisabled { get; set; }

    /// <summary>null follows the browser's preference.</summary>
    public bool? PrefersDarkMode { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
