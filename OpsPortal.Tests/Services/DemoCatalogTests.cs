using Microsoft.Extensions.Options;
using Npgsql;
using OpsPortal.Core.Demo;
using OpsPortal.Core.Deploys;
using OpsPortal.Core.Deploys.Config;
using OpsPortal.Core.Services;

namespace OpsPortal.Tests.Services;

public sealed class DemoCatalogTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("opsportal-demo-catalog-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void DemoConfiguration_MapsDemoWebToTheSimulatorsHosts_PerEnvironment()
    {
        using var dataSource = NpgsqlDataSource.Create("Host=localhost;Database=demo");
        var options = new DeployOptions { ConfigPath = Path.Combine(_folder, "missing", "services.yaml") };
        new DemoDeploys(Options.Create(new DemoOptions { Demo = true, DemoDirectory = _folder }), dataSource).PostConfigure(null, options);

        var parsed = DeployConfigParser.Parse(File.ReadAllText(options.ConfigPath), options.ConfigPath);

        Assert.True(parsed.Config is not null, string.Join("\n", parsed.Problems));
        var services = ServiceCatalog.Resolve(parsed.Config, []);
        var web = services.Single(s => s.Name == "demo-web");
        Assert.Equal(["postgres"], web.DependsOn);
        Assert.Equal(["demo-web"], services.Single(s => s.Name == "postgres").DependedOnBy);
        // Every host the simulator writes is selected by the service, each environment only by its own.
        Assert.Equal("host:shop.demo.local OR host:api.demo.local OR host:static.demo.local", web.SelectorFor("production"));
        Assert.Equal("host:*.staging.demo.local", web.SelectorFor("staging"));
        Assert.Equal(web.LogSelector, web.SelectorFor("production"));
    }
}
