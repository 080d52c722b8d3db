using Microsoft.Extensions.Options;
using Npgsql;

namespace OpsPortal.Web.Hosting;

/// <summary>The <c>OpsPortal</c> configuration section (README lists every key).</summary>
public sealed class OpsPortalOptions
{
    public const string Section = "OpsPortal";

    /// <summary>Resolved from <c>OPSPORTAL_DATABASE</c> or <c>ConnectionStrings:Ops</c>.</summary>
    public string Database { get; set; } = "";

    /// <summary>Run Hangfire workers in this process (off for a web-only node, and in most tests).</summary>
    public bool RunJobs { get; set; } = true;

    public static string? ResolveDatabase(IConfiguration config) =>
        config["OPSPORTAL_DATABASE"] is { Length: > 0 } fromEnv ? fromEnv : config.GetConnectionString("Ops");
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
        try
        {
            _ = new NpgsqlConnectionStringBuilder(options.Database);
        }
        catch (ArgumentException ex)
        {
            // The message names the bad keyword only; the string itself may hold a password.
            return ValidateOptionsResult.Fail($"The database connection string is not valid: {ex.Message}");
        }
        return ValidateOptionsResult.Success;
    }
}
