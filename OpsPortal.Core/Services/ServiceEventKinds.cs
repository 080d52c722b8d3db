namespace OpsPortal.Core.Services;

/// <summary>Event kinds of the service catalog (subject type <c>service</c>, subject id the service name).</summary>
internal static class ServiceEventKinds
{
    public const string SubjectType = "service";
    public const string Created = "service.created";
    public const string Updated = "service.updated";
    public const string Deleted = "service.deleted";
}
