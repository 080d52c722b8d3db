using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace OpsPortal.Core.Backups;

/// <summary>A target's connection string at rest, encrypted with the portal's data-protection keys (shared by every node).</summary>
public sealed class BackupSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("OpsPortal.Backups.ConnectionString.v1");

    internal string Protect(string connectionString) => _protector.Protect(connectionString);

    /// <summary>Null when it cannot be decrypted (the keys were replaced): the target needs its connection string entered again.</summary>
    internal string? TryUnprotect(string? stored)
    {
        try
        {
            return stored is null ? null : _protector.Unprotect(stored);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
