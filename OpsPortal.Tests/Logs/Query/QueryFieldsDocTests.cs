using OpsPortal.Core.Logs.Query;

namespace OpsPortal.Tests.Logs.Query;

/// <summary>The field table of docs/log-search.md is what users read; it must list what the parser accepts.</summary>
public sealed class QueryFieldsDocTests
{
    [Fact]
    public void LogSearchDoc_FieldTable_ListsEveryFieldAndAlias()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OpsPortal.sln")))
        {
            dir = dir.Parent;
        }
        var doc = File.ReadAllText(Path.Combine(dir!.FullName, "docs", "log-search.md"));

        Assert.All(QueryFields.All, f =>
        {
            var names = $"`{f.Name}`" + (f.Aliases.Length == 0 ? "" : $" ({string.Join(", ", f.Aliases.Select(a => $"`{a}`"))})");
            Assert.Contains($"| {names} | `{f.Column}` |", doc, StringComparison.Ordinal);
        });
    }
}
