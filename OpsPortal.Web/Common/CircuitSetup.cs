using Microsoft.AspNetCore.Components.Server.Circuits;

namespace OpsPortal.Web.Common;

/// <summary>Blazor Server circuits, sized for an app left open all day on many screens (issue 14.6).</summary>
public static class CircuitSetup
{
    /// <summary>
    /// How long a circuit whose browser vanished without saying goodbye (a crash, a lost network, a laptop
    /// lid) is kept for a reconnect. A closed tab says goodbye and its circuit goes at once. The default of
    /// three minutes kept every unclean page's memory that long; after a minute the page reloads instead,
    /// which loses nothing here: a page's state is its URL.
    /// </summary>
    public static readonly TimeSpan DisconnectedRetention = TimeSpan.FromMinutes(1);

    public static IRazorComponentsBuilder AddOpsCircuits(this IRazorComponentsBuilder builder)
    {
        builder.AddInteractiveServerComponents(o =>
        {
            o.DisconnectedCircuitRetentionPeriod = DisconnectedRetention;
            o.DisconnectedCircuitMaxRetained = 50;
        });
        builder.Services.AddScoped<CircuitPresence>();
        builder.Services.AddScoped<CircuitHandler>(sp => sp.GetRequiredService<CircuitPresence>());
        builder.Services.AddSingleton<CircuitMemory>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CircuitMemory>());
        builder.Services.AddSingleton<CircuitHandler, CircuitMemory.Counter>();
        return builder;
    }
}
