using OpsPortal.Core.Logs.Parsing;


namespace OpsPortal.Tests.Logs;

/// <summary>The README tells people what to paste into nginx and Apache; it must match what we parse.</summary>
public sealed class ReadmeTests
{
    private static string Readme()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OpsPortal.sln")))
        {
            dir = dir.Parent;
        }
        return File.ReadAllText(Path.Combine(dir!.FullName, "README.md"));
    }

    [Fact]
    public void Readme_ShowsTheOpsPortalNginxFormatWeParse() =>
        Assert.Contains(LogFormat.NginxOpsPortalDirective, Readme(), StringComparison.Ordinal);

    [Fact]
    public void Readme_ShowsTheApacheCombinedFormat() =>
        Assert.Contains(LogFormat.ApacheCombined, Readme(), StringComparison.Ordinal);
}
