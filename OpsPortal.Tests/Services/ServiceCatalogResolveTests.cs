using OpsPortal.Core.Deploys.Config;
using OpsPortal.Core.Services;
using OpsPortal.Tests.Deploys;

namespace OpsPortal.Tests.Services;

/// <summary>How the catalog merges services.yaml and portal-defined services into one answer.</summary>
public sealed class ServiceCatalogResolveTests : IDisposable
{
    private readonly DeployFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    private DeployConfig Config(string yaml) =>
        DeployConfigParser.Parse(yaml, _fixture.ConfigPath) is { Config: { } c } ? c : throw new InvalidOperationException("fixture yaml is invalid");

    private static ServiceDefinition Row(string name, string? selector = null, params string[] dependsOn) => new()
    {
        Name = name,
        LogSelector = selector,
        DependsOn = [.. dependsOn],
        Revision = 2,
        CreatedBy = "a@x",
        UpdatedBy = "b@x",
    };

    [Fact]
    public void Resolve_FileWinsOverPortalRow_PortalOnlyRowKept_ReverseDependencies()
    {
        var file = Config("""
            services:
              shop:
                logs: 'host:shop.example.com'
                depends_on: [postgres]
                environments:
                  staging:
                    deploy: deploy.sh
                    logs: 'host:staging.example.com'
                  production:
                    deploy: deploy.sh
            """);

        var services = ServiceCatalog.Resolve(file, [Row("shop", "host:other"), Row("postgres", null), Row("billing", "host:billing.example.com", "postgres")]);

        Assert.Equal(["billing", "postgres", "shop"], services.Select(s => s.Name));
        var shop = services.Single(s => s.Name == "shop");
        Assert.Equal(ServiceSource.File, shop.Origin.Source);
        Assert.Equal("host:shop.example.com", shop.LogSelector);
        Assert.Equal("host:staging.example.com", shop.SelectorFor("staging"));
        Assert.Equal("host:shop.example.com", shop.SelectorFor("production"));
        Assert.Equal("host:shop.example.com", shop.SelectorFor(null));
        var postgres = services.Single(s => s.Name == "postgres");
        Assert.Equal((ServiceSource.Portal, "host:postgres", true), (postgres.Origin.Source, postgres.LogSelector, postgres.LogSelectorIsDefault));
        Assert.Equal(["billing", "shop"], postgres.DependedOnBy);
        Assert.Equal($"{_fixture.ConfigPath}:2", shop.Origin.ToString());
    }

    [Theory]
    [InlineData("demo-web", "host:demo-web")]
    [InlineData("Checkout API", "host:\"Checkout API\"")]
    public void DefaultSelector_UnknownService_IsItsNameAsHost(string service, string expected) =>
        Assert.Equal(expected, ServiceCatalog.DefaultSelector(service));
}
