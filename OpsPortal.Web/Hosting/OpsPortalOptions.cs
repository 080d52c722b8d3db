using Microsoft.Extensions.Options;
using OpsPortal.Core.Data;

namespace OpsPortal.Web.Hosting;

/// <summary>The <c>OpsPortal</c> configuration section (README lists every key).</summary>
public sealed class OpsPortalOptions
{
    public const string Section = "OpsPortal";

    /// <summary>Resolved from <c>OPSPORTAL_DATABASE</c> or <c>ConnectionStrings:Ops</c>. May point at pgbouncer (transaction mode).</summary>
    public string Database { get; set; } = "";

    /// <summary>From <c>OPSPORTAL_DIRECT_DATABASE</c>: the primary without a pooler, for LISTEN, session locks and Hangfire.</summary>
    public string? DirectDatabase { get; set; }

    /// <summary>From <c>OPSPORTAL_READ_DATABASE</c>: a streaming replica that log search, stats and histograms read.</summary>
    public string? ReadDatabase { get; set; }

    /// <summary>The <c>OpsPortal:Connections</c> section: how many connections this node may hold (docs/database.md).</summary>
    public ConnectionBudget Connections { get; set; } = new();

    /// <summary>Run Hangfire workers in this process (off for a web-only node, and in most tests).</summary>
    public bool RunJobs { get; set; } = true;

    public static string? ResolveDatabase(IConfiguration config) =>
        config["OPSPORTAL_DATABASE"] is { Length: > 0 } fromEnv ? fromEnv : config.GetConnectionString("Ops");

    public DatabaseConnections ToConnections() => new(Database)
    {
        Direct = string.IsNullOrWhiteSpace(DirectDatabase) ? null : DirectDatabase,
        Read = string.IsNullOrWhiteSpace(ReadDatabase) ? null : ReadDatabase,
        MaxPoolSize = Connections.MaxPoolSize,
        DirectMaxPoolSize = Connections.DirectMaxPoolSize,
        ReadMaxPoolSize = Connections.ReadMaxPoolSize,
        JobsMaxPoolSize = Connections.JobsMaxPoolSize,
        PoolWait = Connections.PoolWait,
        CommandTimeout = Connections.CommandTimeout,
        LogQueryTimeout = Connections.LogQueryTimeout,
    };
}

/// <summary>Pool sizes and waits per node; the defaults fit two nodes on a PostgreSQL with max_connections = 100.</summary>
public sealed class ConnectionBudget
{
    private static readonly DatabaseConnections Defaults = new("");

    public int MaxPoolSize { get; set; } = Defaults.MaxPoolSize;
    public int DirectMaxPoolSize { get; set; } = Defaults.DirectMaxPoolSize;
    public int ReadMaxPoolSize { get; set; } = Defaults.ReadMaxPoolSize;
    public int JobsMaxPoolSize { get; set; } = Defaults.JobsMaxPoolSize;
    public TimeSpan PoolWait { get; set; } = Defaults.PoolWait;
    public TimeSpan CommandTimeout { get; set; } = Defaults.CommandTimeout;
    public TimeSpan LogQueryTimeout { get; set; } = Defaults.LogQueryTimeout;
}

internal sealed class OpsPortalOptionsValidator : IValidateOptions<OpsPortalOptions>
{
    public ValidateOptionsResult Validate(string? name, OpsPortalOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Database))
        {
            return ValidateOptionsResult.Fail(
                "No database configured. Set OPSPORTAL_DATABASE (or ConnectionStrings__Ops) to a PostgreSQL " +
                "connection string, e.g. \"Host=localhost;Database=opsportal;Username=ops;Password=…\"; " +
                "./run.sh starts a private PostgreSQL and sets it for you.");
        }
        // The message names the bad keyword only; the string itself may hold a password.
        return options.ToConnections().Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
