using Npgsql;

namespace OpsPortal.Core.Data;

/// <summary>
/// Where the portal's connections go, and how many each node may hold (docs/database.md has the
/// budget formula). Four pools per node:
/// <list type="bullet">
/// <item><b>request</b> (<see cref="Primary"/>, <see cref="MaxPoolSize"/>): EF and raw SQL of pages,
/// API and ingestion. May point at pgbouncer in transaction mode: nothing on it needs a session.</item>
/// <item><b>direct</b> (<see cref="Direct"/>, <see cref="DirectMaxPoolSize"/>): what needs a session
/// of its own: LISTEN, session advisory locks (file tails, the demo simulator), Hangfire.</item>
/// <item><b>log reads</b> (<see cref="Read"/>, <see cref="ReadMaxPoolSize"/>): log search, stats and
/// histograms, on a streaming replica when one is configured; a pool of its own either way, so heavy
/// log statistics cannot take every connection from the rest of the portal.</item>
/// <item><b>jobs</b> (on <see cref="Direct"/>, <see cref="JobsMaxPoolSize"/>): Hangfire's storage. It counts twice:
/// Hangfire's long polling LISTENs on clones of its connections, which Npgsql pools apart from the rest
/// (measured: 16 <c>opsportal-jobs</c> connections with a pool of 8).</item>
/// </list>
/// </summary>
/// <param name="Primary">OPSPORTAL_DATABASE: the primary, directly or through pgbouncer.</param>
public sealed record DatabaseConnections(string Primary)
{
    /// <summary>OPSPORTAL_DIRECT_DATABASE: the primary without a pooler in between; <see cref="Primary"/> when unset.</summary>
    public string? Direct { get; init; }

    /// <summary>OPSPORTAL_READ_DATABASE: a streaming replica for log reads; <see cref="Primary"/> when unset.</summary>
    public string? Read { get; init; }

    public int MaxPoolSize { get; init; } = 16;
    public int DirectMaxPoolSize { get; init; } = 10;
    public int ReadMaxPoolSize { get; init; } = 6;
    public int JobsMaxPoolSize { get; init; } = 16;

    /// <summary>How long a request waits for a free connection (and for the server to accept one) before it gets 503.</summary>
    public TimeSpan PoolWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Statements on the request pool are cancelled after this long (pages and API: user-driven).</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Log search, stats and histograms are cancelled after this long.</summary>
    public TimeSpan LogQueryTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Connections a node may hold at most: the left side of the budget formula.</summary>
    public int PerNode => MaxPoolSize + DirectMaxPoolSize + ReadMaxPoolSize + (2 * JobsMaxPoolSize) + HealthConnections;

    internal const int HealthConnections = 1;

    public string RequestConnectionString => Build(Primary, MaxPoolSize, "opsportal", CommandTimeout);

    public string DirectConnectionString => Build(Direct ?? Primary, DirectMaxPoolSize, "opsportal-direct", CommandTimeout);

    public string ReadConnectionString => Build(Read ?? Primary, ReadMaxPoolSize, "opsportal-logs", LogQueryTimeout);

    public string JobsConnectionString => Build(Direct ?? Primary, JobsMaxPoolSize, "opsportal-jobs", TimeSpan.FromMinutes(5));

    /// <summary>One connection, a short wait: <c>/health</c> must answer fast, and even when the request pool is exhausted.</summary>
    public string HealthConnectionString =>
        new NpgsqlConnectionStringBuilder(Build(Primary, HealthConnections, "opsportal-health", TimeSpan.FromSeconds(3))) { Timeout = 3 }.ConnectionString;

    /// <summary>Null when valid; otherwise the problem (naming keys only: a connection string holds a password).</summary>
    public string? Problem()
    {
        foreach (var (name, value) in new[] { ("OPSPORTAL_DATABASE", Primary), ("OPSPORTAL_DIRECT_DATABASE", Direct), ("OPSPORTAL_READ_DATABASE", Read) })
        {
            if (value is null)
            {
                continue;
            }
            try
            {
                _ = new NpgsqlConnectionStringBuilder(value);
            }
            catch (ArgumentException ex)
            {
                return $"{name}: the connection string is not valid: {ex.Message}";
            }
        }
        if (MaxPoolSize < 2 || DirectMaxPoolSize < 6 || ReadMaxPoolSize < 1 || JobsMaxPoolSize < 2)
        {
            return "pool sizes must be at least: MaxPoolSize 2, DirectMaxPoolSize 6 (four LISTEN connections and the locks), ReadMaxPoolSize 1, JobsMaxPoolSize 2";
        }
        if (PoolWait < TimeSpan.FromMilliseconds(100) || PoolWait > TimeSpan.FromMinutes(1))
        {
            return "PoolWait must be between 00:00:00.100 and 00:01:00";
        }
        return CommandTimeout < TimeSpan.FromSeconds(1) || LogQueryTimeout < TimeSpan.FromSeconds(1)
            ? "CommandTimeout and LogQueryTimeout must be at least 1 second"
            : null;
    }

    private string Build(string connectionString, int maxPool, string application, TimeSpan commandTimeout)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString)
        {
            MaxPoolSize = maxPool,
            // Waiting for a pooled connection is bounded by the same Timeout as connecting.
            Timeout = Math.Max(1, (int)Math.Ceiling(PoolWait.TotalSeconds)),
            CommandTimeout = Math.Max(1, (int)Math.Ceiling(commandTimeout.TotalSeconds)),
        };
        if (string.IsNullOrEmpty(b.ApplicationName))
        {
            b.ApplicationName = application;
        }
        return b.ConnectionString;
    }
}
