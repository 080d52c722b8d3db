using Microsoft.Extensions.Options;
using OpsPortal.Core.Demo;
using OpsPortal.Core.Logs;
using OpsPortal.Core.Logs.Sources;

namespace OpsPortal.Tests.Logs.Ingest;

/// <summary>
/// File sources read only under OpsPortal:Logs:AllowedPaths (issue 13.8): refused when saved, and not
/// read when tailed — by the real path of the file opened, so a symlink cannot lead out.
/// </summary>
public sealed class AllowedPathsTests : FileTailTestBase
{
    private string Outside { get; } = Directory.CreateTempSubdirectory("opsportal-outside-").FullName;

    public override async Task DisposeAsync()
    {
        Directory.Delete(Outside, recursive: true);
        await base.DisposeAsync();
    }

    [Fact]
    public void Refuse_InsideOutsideDotDotAndSymlink()
    {
        var allowed = AllowedDirectories.Parse(Dir)!;
        File.WriteAllText(Path.Combine(Outside, "secret"), "x");
        File.CreateSymbolicLink(Path.Combine(Dir, "link.log"), Path.Combine(Outside, "secret"));
        Directory.CreateSymbolicLink(Path.Combine(Dir, "dirlink"), Outside);

        Assert.Null(allowed.Refuse(Path.Combine(Dir, "access.log")));
        Assert.Null(allowed.Refuse(Path.Combine(Dir, "not-yet", "access.log")));
        Assert.NotNull(allowed.Refuse("/etc/os-release"));
        Assert.NotNull(allowed.Refuse(Dir + "/../" + Path.GetFileName(Outside) + "/secret"));
        Assert.NotNull(allowed.Refuse(Path.Combine(Dir, "link.log")));
        Assert.NotNull(allowed.Refuse(Path.Combine(Dir, "dirlink", "secret")));
        Assert.NotNull(allowed.Refuse(Dir + "-sibling/access.log"));
        Assert.NotNull(allowed.Refuse("relative/access.log"));
        Assert.Contains("OpsPortal__Logs__AllowedPaths", allowed.Refuse("/etc/os-release"), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ColonSeparatedAbsoluteDirectories()
    {
        Assert.Equal(["/var/log", "/srv/logs"], AllowedDirectories.Parse("/var/log: /srv/logs/")!.Configured);
        Assert.Null(AllowedDirectories.Parse("/var/log:logs"));
        Assert.Empty(AllowedDirectories.Parse("")!.Configured);
    }

    [Fact]
    public async Task Save_FileSourceOutside_RefusedWithTheReason()
    {
        var sources = Node().GetRequiredService<LogSourceService>();

        var (saved, error) = await sources.SaveAsync("admin", null,
            new SourceInput("os", LogSourceKind.File, "combined", null, "/etc/os-release", null, true));

        Assert.Null(saved);
        Assert.Contains("outside the directories file sources may read", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tail_SymlinkLeadingOutside_NotRead()
    {
        // As a source saved before the limit existed, or a link swapped in after the source was saved.
        File.WriteAllText(Path.Combine(Outside, "secret"), Line(0) + "\n");
        File.CreateSymbolicLink(LogPath, Path.Combine(Outside, "secret"));
        var source = await AddSourceAsync();
        await using var tail = StartTailer(Node(), source);

        await WaitUntilAsync(async () => await ScalarAsync<object>("SELECT last_error FROM log_sources") is string, "the refusal");
        Assert.Contains("outside the directories", await ScalarAsync<string>("SELECT last_error FROM log_sources"), StringComparison.Ordinal);
        await Task.Delay(500);
        Assert.Equal(0L, await RowsAsync(source));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM log_rejects"));
    }

    [Fact]
    public void DemoMode_AllowsTheDemoFolderToo()
    {
        var demo = Options.Create(new DemoOptions { Demo = true, DemoDirectory = "/tmp/opsportal-demo-x" });
        var options = new LogsOptions();

        new DemoLogPaths(demo, Node().GetRequiredService<Npgsql.NpgsqlDataSource>()).PostConfigure(null, options);

        Assert.Equal("/var/log:/tmp/opsportal-demo-x", options.AllowedPaths);
    }
}
