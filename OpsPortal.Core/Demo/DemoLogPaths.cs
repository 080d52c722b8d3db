using Microsoft.Extensions.Options;
using Npgsql;
using OpsPortal.Core.Logs;

namespace OpsPortal.Core.Demo;

/// <summary>
/// In demo mode, lets file sources read the demo's folder, where the traffic simulator writes the log
/// the demo source tails: it is under the temp folder, not under the configured allowed paths.
/// </summary>
internal sealed class DemoLogPaths(IOptions<DemoOptions> demo, NpgsqlDataSource dataSource) : IPostConfigureOptions<LogsOptions>
{
    public void PostConfigure(string? name, LogsOptions options)
    {
        if (demo.Value.Demo)
        {
            var folder = demo.Value.FolderFor(dataSource.ConnectionString);
            options.AllowedPaths = string.IsNullOrWhiteSpace(options.AllowedPaths) ? folder : $"{options.AllowedPaths}:{folder}";
        }
    }
}
