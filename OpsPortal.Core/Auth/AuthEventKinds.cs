namespace OpsPortal.Core.Auth;

/// <summary>What the auth feature writes on the events spine: users (subject <c>user</c>, id the user id) and API tokens.</summary>
internal static class AuthEventKinds
{
    public const string UserSubjectType = "user";
    public const string TokenSubjectType = "token";

    public const string UserSignedIn = "user.signed_in";
    public const string UserSignInFailed = "user.sign_in_failed";
    public const string UserLockedOut = "user.locked_out";
    public const string UserCreated = "user.created";
    public const string UserRoleChanged = "user.role_changed";
    public const string UserDisabled = "user.disabled";
    public const string UserEnabled = "user.enabled";
    public const string UserPasswordReset = "user.password_reset";
    public const string TokenCreated = "token.created";
    public const string TokenRevoked = "token.revoked";
}
