using OpsPortal.Core.Deploys.Config;

namespace OpsPortal.Tests.Deploys;

public sealed class DeployConfigTests : IDisposable
{
    private readonly DeployFixture _fixture = new();

    private DeployConfigParser.Result Parse(string yaml) => DeployConfigParser.Parse(yaml, _fixture.ConfigPath);

    private static string Problems(DeployConfigParser.Result r) => string.Join("\n", r.Problems);

    [Fact]
    public void FixtureFile_Parses_WithDefaultsAndInheritedServiceSettings()
    {
        var result = Parse(File.ReadAllText(_fixture.ConfigPath));

        Assert.True(result.Config is not null, Problems(result));
        var staging = result.Config.Find("web", "staging")!;
        Assert.Equal(Path.Combine(_fixture.Scripts, "deploy.sh"), staging.DeployScript);
        Assert.Equal(Path.Combine(_fixture.Scripts, "rollback.sh"), staging.RollbackScript);
        Assert.Equal(TimeSpan.FromSeconds(60), staging.Timeout);
        Assert.Equal("Engineer", staging.Role);
        Assert.False(staging.TicketRequired);
        Assert.Equal(Path.Combine(_fixture.Scripts, "versions.sh"), staging.VersionsCommand![0]);
        Assert.Equal("https://git.example.com/web/compare/1.0...1.1", staging.DiffUrl("1.0", "1.1"));
        var production = result.Config.Find("web", "production")!;
        Assert.Equal("Admin", production.Role);
        Assert.Null(production.RollbackScript);
        Assert.Equal(DeployConfigParser.DefaultTimeout, production.Timeout);
    }

    [Fact]
    public void UnknownKey_NamesFileLineAndExpectedKeys()
    {
        var result = Parse("""
            services:
              web:
                environments:
                  staging:
                    deploy: deploy.sh
                    rolback: rollback.sh
            """);

        var problem = Assert.Single(result.Problems);
        Assert.Null(result.Config);
        Assert.Equal(6, problem.Line);
        Assert.Equal(_fixture.ConfigPath, problem.File);
        Assert.Contains("unknown key 'rolback' in web/staging", problem.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{_fixture.ConfigPath}:6: ", problem.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deploy: missing.sh", "does not exist")]
    [InlineData("deploy: ../services.yaml", "outside the scripts folder")]
    [InlineData("deploy: /bin/sh", "relative to the scripts folder")]
    [InlineData("deploy: deploy.sh\n        timeout: soon", "timeout 'soon' must be a duration")]
    [InlineData("deploy: deploy.sh\n        role: Viewer", "role must be Engineer or Admin")]
    [InlineData("deploy: deploy.sh\n        ticket: maybe", "ticket must be true or false")]
    [InlineData("deploy: deploy.sh\n        diff: https://x/compare", "diff must contain {from} and {to}")]
    [InlineData("rollback: rollback.sh", "missing 'deploy:'")]
    public void InvalidEnvironment_IsRefusedWithLine(string body, string expected)
    {
        var result = Parse($"""
            services:
              web:
                environments:
                  staging:
                    {body}
            """);

        Assert.Null(result.Config);
        var problem = Assert.Single(result.Problems);
        Assert.Contains(expected, problem.Message, StringComparison.Ordinal);
        Assert.True(problem.Line is >= 4 and <= 6, problem.ToString());
    }

    [Fact]
    public void SymlinkToScriptOutsideFolder_IsRefused()
    {
        var outside = Path.Combine(_fixture.Folder, "outside.sh");
        File.WriteAllText(outside, "#!/bin/sh\n");
        File.CreateSymbolicLink(Path.Combine(_fixture.Scripts, "sneaky.sh"), outside);

        var result = Parse("services:\n  web:\n    environments:\n      staging:\n        deploy: sneaky.sh\n");

        Assert.Contains("outside the scripts folder", Problems(result), StringComparison.Ordinal);
    }

    [Fact]
    public void NotExecutable_IsRefused()
    {
        File.WriteAllText(Path.Combine(_fixture.Scripts, "plain.sh"), "echo hi\n");

        var result = Parse("services:\n  web:\n    environments:\n      staging:\n        deploy: plain.sh\n");

        Assert.Contains("is not executable", Problems(result), StringComparison.Ordinal);
    }

    [Fact]
    public void BrokenYaml_ReportsLine()
    {
        var result = Parse("services:\n  web:\n    environments: x\n   bad: [\n");

        var problem = Assert.Single(result.Problems);
        Assert.Contains("not valid YAML", problem.Message, StringComparison.Ordinal);
        Assert.True(problem.Line >= 3, problem.ToString());
    }

    [Fact]
    public void BadSecretPatternAndWebhook_AreReported()
    {
        var result = Parse("secrets: ['(unclosed']\nwebhook: ftp://x\nservices:\n  web:\n    environments:\n      staging:\n        deploy: deploy.sh\n");

        Assert.Equal(2, result.Problems.Count);
        Assert.Contains(result.Problems, p => p.Line == 1 && p.Message.Contains("not a valid regular expression", StringComparison.Ordinal));
        Assert.Contains(result.Problems, p => p.Line == 2 && p.Message.Contains("webhook must be an http(s) URL", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("1h", 3600)]
    public void Durations(string text, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), DeployConfigParser.ParseDuration(text));

    public void Dispose() => _fixture.Dispose();
}
