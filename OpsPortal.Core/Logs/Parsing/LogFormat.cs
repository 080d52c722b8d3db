using System.Diagnostics.CodeAnalysis;

namespace OpsPortal.Core.Logs.Parsing;

/// <summary>
/// Compiles nginx <c>log_format</c> strings into <see cref="LogParser"/>s, and names the presets
/// sources can pick.
/// </summary>
public static class LogFormat
{
    /// <summary>nginx's built-in <c>combined</c>, which is also Apache's <c>combined</c> (see <see cref="ApacheCombined"/>).</summary>
    public const string Combined =
        "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"";

    /// <summary>The NCSA common log format: combined without referrer and user agent.</summary>
    public const string Common =
        "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent";

    /// <summary>
    /// Combined behind the virtual host. Also reads Apache's <c>vhost_combined</c>
    /// (<c>%v:%p %h …</c>): a <c>:port</c> after the host name is dropped.
    /// </summary>
    public const string VhostCombined =
        "$host $remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"";

    /// <summary>
    /// Fills every column of the access table. Starts as combined does, so tools that read
    /// combined (GoAccess, awk one-liners) still read these lines. See <see cref="NginxOpsPortalDirective"/>.
    /// </summary>
    public const string OpsPortal =
        "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\""
        + " host=$host scheme=$scheme rt=$request_time urt=\"$upstream_response_time\" upstream=\"$upstream_addr\""
        + " ustatus=\"$upstream_status\" tls=$ssl_protocol cipher=$ssl_cipher";

    /// <summary>The line to paste into nginx's <c>http</c> block (then <c>access_log … opsportal;</c>).</summary>
    public const string NginxOpsPortalDirective = "log_format opsportal '" + OpsPortal + "';";

    /// <summary>The Apache <c>LogFormat</c> directive that writes what <see cref="Combined"/> reads.</summary>
    public const string ApacheCombined =
        "LogFormat \"%h %l %u %t \\\"%r\\\" %>s %b \\\"%{Referer}i\\\" \\\"%{User-Agent}i\\\"\" combined";

    private static readonly Dictionary<string, string> Presets = new(StringComparer.OrdinalIgnoreCase)
    {
        ["combined"] = Combined,
        ["common"] = Common,
        ["vhost_combined"] = VhostCombined,
        ["opsportal"] = OpsPortal,
    };

    public static IReadOnlyList<string> PresetNames { get; } = ["combined", "common", "vhost_combined", "opsportal"];

    /// <summary>Compiles an nginx <c>log_format</c> string; throws <see cref="LogFormatException"/> when it cannot be parsed.</summary>
    internal static LogParser Compile(string nginxLogFormat) => Compile(nginxLogFormat, new LogParserOptions());

    internal static LogParser Compile(string nginxLogFormat, LogParserOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxLineLength <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxLineLength must be positive.");
        }

        var (prefix, segments) = LogFormatCompiler.Compile(nginxLogFormat, options.IgnoreUnknownVariables);
        return new LogParser(nginxLogFormat, prefix, segments, options.MaxLineLength);
    }

    /// <summary>The format string of a preset, by name (case-insensitive).</summary>
    internal static bool TryGetPreset(string name, [NotNullWhen(true)] out string? format)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Presets.TryGetValue(name, out format);
    }

    /// <summary>A parser for a preset; throws <see cref="ArgumentException"/> for an unknown name.</summary>
    internal static LogParser Preset(string name) => Preset(name, new LogParserOptions());

    internal static LogParser Preset(string name, LogParserOptions options) =>
        TryGetPreset(name, out var format)
            ? Compile(format, options)
            : throw new ArgumentException(
                $"Unknown log format preset '{name}'. Presets: {string.Join(", ", PresetNames)}.", nameof(name));
}
