namespace OpsPortal.Core;

/// <summary>
/// The service catalog's names, for a feature that must check a service field without depending on the catalog
/// (Tickets: the catalog already uses Deploys, which opens tickets, so a direct reference would close a cycle).
/// Implemented by the catalog.
/// </summary>
public interface IServiceNames
{
    Task<IReadOnlyList<string>> NamesAsync(CancellationToken ct = default);
}
