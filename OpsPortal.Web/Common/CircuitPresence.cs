using Microsoft.AspNetCore.Components.Server.Circuits;

namespace OpsPortal.Web.Common;

/// <summary>
/// Whether this circuit's browser is connected. A circuit whose connection dropped is kept for a while
/// so the page can reconnect (<see cref="CircuitSetup.DisconnectedRetention"/>); live feeds stop meanwhile
/// (<see cref="Changed"/>), or they would keep rendering into memory nobody reads (issue 14.6).
/// </summary>
public sealed class CircuitPresence : CircuitHandler
{
    public bool Connected { get; private set; } = true;

    /// <summary>Raised on the circuit's own thread with the new state.</summary>
    public event Action<bool>? Changed;

    public override Task OnConnectionDownAsync(Circuit circuit, CancellationToken cancellationToken) => Set(false);

    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken) => Set(true);

    private Task Set(bool connected)
    {
        if (Connected != connected)
        {
            Connected = connected;
            Changed?.Invoke(connected);
        }
        return Task.CompletedTask;
    }
}
