using OpsPortal.Core.Logs.Query;

namespace OpsPortal.Tests.Logs.Query;

/// <summary>The README's field table is what users read; it must list what the parser accepts.</summary>
public sealed class QueryReadmeTests
{
    [Fact]
    public void Readme_FieldTable_ListsEveryFieldAndAlias()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OpsPortal.sln")))
        {
            dir = dir.Parent;
        }
        var readme = File.ReadAllText(Path.Combine(dir!.FullName, "README.md"));

        Assert.All(QueryFields.All, f =>
        {
            var names = $"`{f.Name}`" + (f.Aliases.Length == 0 ? "" : $" ({string.Join(", ", f.Aliases.Select(a => $"`{a}`"))})");
            Assert.Contains($"| {names} | `{f.Column}` |", readme, StringComparison.Ordinal);
        });
    }
}
