using OpsPortal.Core.Deploys.Config;
using OpsPortal.Tests.Deploys;

namespace OpsPortal.Tests.Services;

/// <summary>The catalog keys of services.yaml: parsed into the deploy configuration, checked with file:line like the rest.</summary>
public sealed class ServiceCatalogConfigTests : IDisposable
{
    private readonly DeployFixture _fixture = new();

    private DeployConfigParser.Result Parse(string yaml) => DeployConfigParser.Parse(yaml, _fixture.ConfigPath);

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Parse_CatalogKeys_AreReadWithEnvironmentSelectorsAndInheritedAutoRollback()
    {
        var result = Parse("""
            services:
              shop:
                description: The web shop
                owners: [alice@example.com, team:web]
                tier: 1
                links:
                  repository: https://git.example.com/shop
                  dashboard: https://grafana.example.com/d/shop
                logs: 'host:shop.example.com OR host:api.example.com'
                depends_on: [postgres, payments]
                auto_rollback: true
                environments:
                  staging:
                    deploy: deploy.sh
                    logs: 'host:staging.example.com'
                  production:
                    deploy: deploy.sh
                    auto_rollback: false
              postgres:
                description: Primary database
                owners: team:dba
            """);

        Assert.True(result.Config is not null, string.Join("\n", result.Problems));
        var shop = result.Config.Services.Single(s => s.Name == "shop");
        Assert.Equal("The web shop", shop.Catalog.Description);
        Assert.Equal(["alice@example.com", "team:web"], shop.Catalog.Owners);
        Assert.Equal(1, shop.Catalog.Tier);
        Assert.Equal([new ServiceLink("repository", "https://git.example.com/shop"), new ServiceLink("dashboard", "https://grafana.example.com/d/shop")], shop.Catalog.Links);
        Assert.Equal("host:shop.example.com OR host:api.example.com", shop.Catalog.LogSelector);
        Assert.Equal(["postgres", "payments"], shop.Catalog.DependsOn);
        Assert.Equal(2, shop.Catalog.Line);
        var staging = result.Config.Find("shop", "staging")!;
        Assert.Equal(("host:staging.example.com", true), (staging.LogSelector, staging.AutoRollback));
        var production = result.Config.Find("shop", "production")!;
        Assert.Equal(((string?)null, false), (production.LogSelector, production.AutoRollback));
        var postgres = result.Config.Services.Single(s => s.Name == "postgres");
        Assert.Empty(postgres.Environments);
        Assert.Equal(["team:dba"], postgres.Catalog.Owners);
    }

    [Theory]
    [InlineData("owners: [bob]", 3, "owner 'bob' must be an email")]
    [InlineData("tier: 7", 3, "tier must be 1 (most critical) to 4, not '7'")]
    [InlineData("links:\n      repo: ftp://x", 4, "link 'repo' must be an http(s) URL")]
    [InlineData("logs: 'stauts:5xx'", 3, "log selector 'stauts:5xx' is not a valid log query: unknown field 'stauts' at 0; did you mean status?")]
    [InlineData("depends_on: [shop]", 3, "service 'shop' cannot depend on itself")]
    [InlineData("depends_on: [Bad Name]", 3, "dependency 'Bad Name' must be lower-case")]
    [InlineData("auto_rollback: sometimes", 3, "auto_rollback must be true or false, not 'sometimes'")]
    [InlineData("onwers: [team:web]", 3, "unknown key 'onwers' in service 'shop'; expected one of: environments, versions, diff, description, owners")]
    [InlineData("environments: {}", 3, "'environments:' needs at least one environment")]
    public void Parse_InvalidCatalogValue_IsRefusedWithFileAndLine(string body, int line, string expected)
    {
        var result = Parse($"""
            services:
              shop:
                {body}
            """);

        Assert.Null(result.Config);
        var problem = Assert.Single(result.Problems);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{_fixture.ConfigPath}:{line}: ", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EnvironmentSelectorInvalid_NamesTheEnvironment()
    {
        var result = Parse("services:\n  shop:\n    environments:\n      staging:\n        deploy: deploy.sh\n        logs: 'host:('\n");

        var problem = Assert.Single(result.Problems);
        Assert.Equal(6, problem.Line);
        Assert.StartsWith("shop/staging: log selector 'host:(' is not a valid log query", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyService_NeedsEnvironmentsOrCatalogKeys()
    {
        var result = Parse("services:\n  shop: {}\n");

        var problem = Assert.Single(result.Problems);
        Assert.Contains("needs 'environments:' or at least one catalog key", problem.Message, StringComparison.Ordinal);
    }
}
