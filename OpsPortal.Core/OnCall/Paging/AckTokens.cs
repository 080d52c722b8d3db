using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace OpsPortal.Core.OnCall.Paging;

/// <summary>
/// Acknowledge-link tokens: 256 random bits, base64url (43 characters). Only their SHA-256 is stored, so the
/// database (or a backup of it) cannot be used to acknowledge anything; the message holds the only copy.
/// </summary>
internal static class AckTokens
{
    public const int Length = 43;

    public static (string Token, byte[] Hash) New()
    {
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (token, Hash(token));
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.ASCII.GetBytes(token));

    /// <summary>Whether a text can be a token at all (checked before any database work).</summary>
    public static bool LooksValid(string? token) =>
        token is { Length: Length } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
