using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Logs;
using OpsPortal.Web.Jobs;

namespace OpsPortal.Web.Hosting;

/// <summary>
/// Command-line verbs of the app binary. They share the web app's configuration sources
/// (appsettings, environment, arguments), so they reach the same database the portal uses.
/// </summary>
public static class Commands
{
    /// <summary>Who acts from the command line: the operator of the machine, as the portal itself.</summary>
    private static readonly Actor Cli = Actor.System("cli");

    private const string Usage = """
        Usage: OpsPortal.Web [command]
          (no command)                         serve the portal
          migrate                              apply database migrations
          ensure-admin                         create the first admin if there is none
                                               (OPSPORTAL_ADMIN_EMAIL / OPSPORTAL_ADMIN_PASSWORD,
                                               or a generated password printed once)
          add-user EMAIL ROLE                  create a user (Viewer, Engineer, Admin);
                                               password from OPSPORTAL_NEW_PASSWORD or generated
          import [--format F] [--host H] FILE… backfill access logs (- for stdin, .gz ok)
          trigger-job ID                       run a recurring job now on any running portal
                                               (IDs are listed on /hangfire/recurring)
        """;

    private static readonly string[] Verbs = ["migrate", "ensure-admin", "add-user", "trigger-job", "import", "help", "--help"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Verbs.Contains(args[0]);

    public static async Task<int> RunAsync(string[] args)
    {
        if (args[0] is "help" or "--help")
        {
            Console.WriteLine(Usage);
            return 0;
        }
        // Only --Key=value pairs are configuration; import has flags of its own.
        var builder = Host.CreateApplicationBuilder(args[1..].Where(a => a.StartsWith("--", StringComparison.Ordinal) && a.Contains('=', StringComparison.Ordinal)).ToArray());
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // EF logs the probe for a missing history table as an error on a fresh database; it is not one.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None);
        // Keys are stored in PostgreSQL unencrypted by design (ADR-004); the warning would only clutter CLI output.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        OpsPortalOptions options;
        try
        {
            options = OpsPortalHost.LoadOptions(builder.Configuration);
        }
        catch (InvalidOperationException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }
        builder.Services.AddOpsData(options.Database);
        builder.Services.AddLogs();
        // import needs only the logs: Hangfire's storage checks its schema when made (seconds on a busy machine).
        if (args[0] != "import")
        {
            builder.Services.AddOpsAuthServices();
            builder.Services.AddOpsIdentityCore();
            // Storage only: this process enqueues, the portal's workers run the job.
            builder.Services.AddOpsJobs(options, runServer: false);
        }
        using var host = builder.Build();
        await using var scope = host.Services.CreateAsyncScope();
        var sp = scope.ServiceProvider;
        var positional = args[1..].Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        if (args[0] == "import")
        {
            return await ImportCommand.RunAsync(sp, args[1..]);
        }

        return args[0] switch
        {
            "migrate" => await MigrateAsync(sp),
            "ensure-admin" => await EnsureAdminAsync(sp),
            "add-user" when positional.Length == 2 => await AddUserAsync(sp, positional[0], positional[1]),
            "trigger-job" when positional.Length == 1 => TriggerJob(sp, positional[0]),
            _ => Fail(Usage),
        };
    }

    private static async Task<int> MigrateAsync(IServiceProvider sp)
    {
        var db = sp.GetRequiredService<OpsDbContext>();
        var pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
        await db.Database.MigrateAsync();
        Console.WriteLine(pending.Count == 0
            ? "Database is up to date."
            : $"Applied {pending.Count} migration(s): {string.Join(", ", pending)}");
        return 0;
    }

    private static async Task<int> EnsureAdminAsync(IServiceProvider sp)
    {
        var admin = sp.GetRequiredService<UserAdminService>();
        if (await admin.AnyAdminAsync())
        {
            Console.WriteLine("An admin exists already.");
            return 0;
        }
        var email = Environment.GetEnvironmentVariable("OPSPORTAL_ADMIN_EMAIL") is { Length: > 0 } e ? e : "admin@localhost";
        var given = Environment.GetEnvironmentVariable("OPSPORTAL_ADMIN_PASSWORD");
        var password = string.IsNullOrEmpty(given) ? UserAdminService.GeneratePassword() : given;
        var result = await admin.CreateAsync(Cli, email, password, Roles.Admin);
        if (!result.Succeeded)
        {
            return Fail($"Could not create the first admin {email}: {result.Refusal.Detail}");
        }
        Console.WriteLine($"Created the first admin: {email}");
        if (string.IsNullOrEmpty(given))
        {
            // Printed once, to the operator's terminal only; it is never written to a log.
            Console.WriteLine($"Password (shown once, change it or keep it safe): {password}");
        }
        return 0;
    }

    private static async Task<int> AddUserAsync(IServiceProvider sp, string email, string role)
    {
        var given = Environment.GetEnvironmentVariable("OPSPORTAL_NEW_PASSWORD");
        var password = string.IsNullOrEmpty(given) ? UserAdminService.GeneratePassword() : given;
        var result = await sp.GetRequiredService<UserAdminService>().CreateAsync(Cli, email, password, role);
        if (!result.Succeeded)
        {
            return Fail(result.Refusal.Detail);
        }
        Console.WriteLine($"Created {role} {email}");
        if (string.IsNullOrEmpty(given))
        {
            Console.WriteLine($"Password (shown once): {password}");
        }
        return 0;
    }

    private static int TriggerJob(IServiceProvider sp, string id)
    {
        var jobId = sp.GetRequiredService<Hangfire.IRecurringJobManagerV2>().TriggerJob(id);
        if (jobId is null)
        {
            return Fail($"No recurring job '{id}'. See /hangfire/recurring for the list.");
        }
        Console.WriteLine($"Enqueued job {jobId}");
        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}
