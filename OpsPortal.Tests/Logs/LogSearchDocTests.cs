using OpsPortal.Core.Logs.Parsing;


namespace OpsPortal.Tests.Logs;

/// <summary>docs/log-search.md tells people what to paste into nginx and Apache; it must match what we parse.</summary>
public sealed class LogSearchDocTests
{
    private static string Doc()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OpsPortal.sln")))
        {
            dir = dir.Parent;
        }
        return File.ReadAllText(Path.Combine(dir!.FullName, "docs", "log-search.md"));
    }

    [Fact]
    public void LogSearchDoc_ShowsTheOpsPortalNginxFormatWeParse() =>
        Assert.Contains(LogFormat.NginxOpsPortalDirective, Doc(), StringComparison.Ordinal);

    [Fact]
    public void LogSearchDoc_ShowsTheApacheCombinedFormat() =>
        Assert.Contains(LogFormat.ApacheCombined, Doc(), StringComparison.Ordinal);
}
