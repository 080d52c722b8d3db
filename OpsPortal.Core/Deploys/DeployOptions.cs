namespace OpsPortal.Core.Deploys;

/// <summary>The <c>OpsPortal:Deploys</c> section. What to deploy lives in the YAML file; this is how the portal runs it.</summary>
public sealed class DeployOptions
{
    public const string Section = "OpsPortal:Deploys";

    /// <summary>The services file; relative paths are relative to the app's working folder.</summary>
    public string ConfigPath { get; set; } = "deploy/services.yaml";

    /// <summary>The portal's public address, for links in webhook messages (e.g. https://ops.example.com).</summary>
    public string? PublicUrl { get; set; }

    /// <summary>How often a running deploy proves its process is alive.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A running deploy whose heartbeat is older than this belongs to a dead process.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Between SIGTERM and SIGKILL on cancel and timeout.</summary>
    public TimeSpan CancelGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Output is written (and announced to viewers) at least this often while a script prints.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest output line kept; the rest of a longer line is cut with a marker.</summary>
    public int MaxLineLength { get; set; } = 8192;
}
