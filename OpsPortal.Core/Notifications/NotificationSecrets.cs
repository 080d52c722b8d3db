using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace OpsPortal.Core.Notifications;

/// <summary>
/// Encrypts webhook URLs and SMTP passwords at rest with the portal's data-protection keys (stored in the
/// database and shared by every node, like the sign-in cookies' keys). A secret is decrypted only to send.
/// </summary>
public sealed class NotificationSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("OpsPortal.Notifications.Secrets.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    /// <summary>The secret, or null when it cannot be decrypted (the keys were lost or replaced): the channel needs it entered again.</summary>
    public string? Unprotect(string? protectedText)
    {
        if (protectedText is null)
        {
            return null;
        }
        try
        {
            return _protector.Unprotect(protectedText);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
