using System.Text.Json;

namespace OpsPortal.Tests.Web;

/// <summary>
/// The runtime settings the app's build writes into OpsPortal.Web.runtimeconfig.json (docs/production.md,
/// "Runtime settings the build carries"): each one holds a measured target, and nothing else would notice it gone.
/// </summary>
public class RuntimeSettingsTests
{
    private static JsonElement ConfigProperties()
    {
        // The SDK copies a referenced app's runtimeconfig next to the tests, as WebApplicationFactory needs it.
        var path = Path.Combine(AppContext.BaseDirectory, "OpsPortal.Web.runtimeconfig.json");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        return json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }

    [Fact]
    public void FirstCalls_CountTowardOptimisedCode_AtOnce() =>
        Assert.Equal(0, ConfigProperties().GetProperty("System.Runtime.TieredCompilation.CallCountingDelayMs").GetInt32());

    [Fact]
    public void ArraysOfAYearOfPoints_StartInTheYoungGeneration() =>
        Assert.Equal(4 * 1024 * 1024, ConfigProperties().GetProperty("System.GC.LOHThreshold").GetInt32());

    [Fact]
    public void WorkstationCollector_KeepsTheIdlePortalSmall() =>
        Assert.False(ConfigProperties().GetProperty("System.GC.Server").GetBoolean());
}
