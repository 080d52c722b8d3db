using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;

namespace OpsPortal.Core.Auth;

public sealed record CreatedToken(ApiToken Token, string Secret);

public sealed class ApiTokenService(IDbContextFactory<OpsDbContext> dbFactory, EventLog events, TimeProvider clock, ApiTokenCache cache)
{
    public const string SecretPrefix = "ops_";

    // Writing last_used_at on every call would turn each API read into a write.
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <param name="actor">The owner's name: only its owner makes a token.</param>
    public async Task<Result<CreatedToken>> CreateAsync(string userId, string actor, string name, CancellationToken ct = default)
    {
        name = name?.Trim() ?? "";
        if (name.Length is 0 or > 100)
        {
            return Refusal.InvalidField("name", "A token needs a name of 1 to 100 characters.", "Invalid token request");
        }
        var secret = SecretPrefix + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var token = new ApiToken
        {
            UserId = userId,
            Name = name,
            Prefix = secret[..12],
            Hash = Hash(secret),
            CreatedAt = clock.GetUtcNow(),
        };
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.ApiTokens.Add(token);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        events.Append(db, actor, AuthEventKinds.TokenCreated, AuthEventKinds.TokenSubjectType, token.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"{actor} created API token \"{name}\"");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new CreatedToken(token, secret);
    }

    public async Task<List<ApiToken>> ListAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ApiTokens.AsNoTracking()
            .Where(t => t.UserId == userId)
            .OrderBy(t => t.RevokedAt != null).ThenByDescending(t => t.CreatedAt)
            .ToListAsync(ct);
    }

    /// <summary>Revokes one of the user's own tokens; NotFound when there is no such live token.</summary>
    public async Task<Result> RevokeAsync(long tokenId, string userId, string actor, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == tokenId && t.UserId == userId && t.RevokedAt == null, ct);
        if (token is null)
        {
            return Refusal.NotFound($"You have no live API token {tokenId}.", "No such token");
        }
        token.RevokedAt = clock.GetUtcNow();
        cache.Clear();
        events.Append(db, actor, AuthEventKinds.TokenRevoked, AuthEventKinds.TokenSubjectType, token.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"{actor} revoked API token \"{token.Name}\"");
        await db.SaveChangesAsync(ct);
        return Result.Ok;
    }

    /// <summary>The user a live token belongs to, or null for an unknown, revoked or disabled one.</summary>
    public async Task<AppUser?> ValidateAsync(string secret, CancellationToken ct = default)
    {
        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal) || secret.Length > 100)
        {
            return null;
        }
        var hash = Hash(secret);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var token = await db.ApiTokens.Include(t => t.User)
            .SingleOrDefaultAsync(t => t.Hash == hash && t.RevokedAt == null, ct);
        if (token?.User is not { IsDisabled: false } user)
        {
            return null;
        }
        var now = clock.GetUtcNow();
        if (token.LastUsedAt is null || now - token.LastUsedAt > LastUsedResolution)
        {
            token.LastUsedAt = now;
            await db.SaveChangesAsync(ct);
        }
        return user;
    }

    internal static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
