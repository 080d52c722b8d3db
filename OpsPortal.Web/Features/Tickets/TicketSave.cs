using OpsPortal.Core.Tickets;

namespace OpsPortal.Web.Features.Tickets;

/// <summary>
/// An edit and the ticket version it was made against. A text editor keeps the version from when
/// editing began, so a change that lands meanwhile (and refreshes the page live) still conflicts
/// instead of being overwritten.
/// </summary>
public sealed record TicketSave(TicketEdit Edit, int Version);
