using Bunit;
using MudBlazor.Services;

namespace OpsPortal.Tests.Infrastructure;

/// <summary>A bunit context with MudBlazor's services and loose JS interop, disposed asynchronously (MudBlazor needs it).</summary>
public abstract class MudComponentTest : IAsyncLifetime
{
    protected BunitContext Ctx { get; } = new();

    public virtual Task InitializeAsync()
    {
        Ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        Ctx.Services.AddMudServices();
        // Components read the time from TimeProvider (RelativeTime, live components).
        Ctx.Services.AddSingleton(TimeProvider.System);
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync() => await Ctx.DisposeAsync();
}
