using OpsPortal.Core.Deploys;

namespace OpsPortal.Core.Verification;

/// <summary>Events of deploy verification. Their subject is the deploy (type <c>deploy</c>, id the deploy id), so deploy pages and timelines pick them up.</summary>
public static class VerificationEventKinds
{
    public const string SubjectType = DeployEventKinds.Subject;
    public const string Verified = "deploy.verified";
    public const string Regressed = "deploy.regressed";
    public const string Unverified = "deploy.unverified";
    public const string AutoRolledBack = "deploy.auto_rolled_back";
    public const string AutoRollbackRefused = "deploy.auto_rollback_refused";

    internal static string ForVerdict(string verdict) => verdict switch
    {
        ImpactVerdict.Healthy => Verified,
        ImpactVerdict.Regressed => Regressed,
        _ => Unverified,
    };
}
