using Npgsql;

namespace OpsPortal.Core.Demo;

/// <summary>Demo mode (<c>OpsPortal:Demo</c>): a living portal on first start, every demo item labelled.</summary>
public sealed class DemoOptions
{
    public bool Demo { get; set; }

    /// <summary>Where the traffic simulator writes its log file; defaults to a folder per database under /tmp.</summary>
    public string? DemoDirectory { get; set; }

    /// <summary>The demo's folder: <see cref="DemoDirectory"/>, or one per database under the temp folder.</summary>
    internal string FolderFor(string connectionString)
    {
        if (!string.IsNullOrWhiteSpace(DemoDirectory))
        {
            return DemoDirectory;
        }
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database ?? "opsportal";
        return Path.Combine(Path.GetTempPath(), "opsportal-demo-" + database);
    }
}
