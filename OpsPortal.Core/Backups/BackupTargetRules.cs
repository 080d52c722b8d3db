using System.Text.RegularExpressions;
using Cronos;
using Npgsql;

namespace OpsPortal.Core.Backups;

/// <summary>What a target may be: checked before anything is stored.</summary>
internal static partial class BackupTargetRules
{
    public const int MaxName = 100;

    /// <summary>Next occurrence (UTC) of a cron expression, or null when it has none or is empty.</summary>
    public static DateTimeOffset? Next(string? cron, DateTimeOffset after) =>
        string.IsNullOrWhiteSpace(cron) ? null : CronExpression.Parse(cron).GetNextOccurrence(after, TimeZoneInfo.Utc);

    public static Dictionary<string, string> Check(BackupTargetInput input, bool builtIn, bool creating)
    {
        var errors = new Dictionary<string, string>();
        if (!builtIn && (string.IsNullOrWhiteSpace(input.Name) || input.Name.Length > MaxName))
        {
            errors["name"] = $"A name of 1 to {MaxName} characters is required.";
        }
        if (!builtIn && creating && string.IsNullOrWhiteSpace(input.ConnectionString))
        {
            errors["connectionString"] = "A connection string is required, such as Host=db1;Port=5432;Database=shop;Username=backup;Password=….";
        }
        if (!string.IsNullOrWhiteSpace(input.ConnectionString))
        {
            if (builtIn)
            {
                errors["connectionString"] = "The portal's own database is reached with the portal's configuration.";
            }
            else if (ServerOf(input.ConnectionString) is null)
            {
                errors["connectionString"] = "Not a PostgreSQL connection string with a Host and a Database.";
            }
        }
        CheckMethod(errors, input, builtIn);
        if (input.Destination is { } d && (!Path.IsPathFullyQualified(d) || d.Length > 900 || d.Contains('\0', StringComparison.Ordinal)))
        {
            errors["destination"] = "The destination must be an absolute folder path.";
        }
        CheckCron(errors, "schedule", input.Schedule);
        CheckCron(errors, "drillSchedule", input.DrillSchedule);
        foreach (var (field, value) in new[] { ("keepDaily", input.KeepDaily), ("keepWeekly", input.KeepWeekly), ("keepMonthly", input.KeepMonthly) })
        {
            if (value is < 0 or > 1000)
            {
                errors[field] = "Keep between 0 and 1000.";
            }
        }
        if (input.KeepDaily + input.KeepWeekly + input.KeepMonthly == 0)
        {
            errors["keepDaily"] = "Retention must keep at least one backup.";
        }
        if (input.BackupMaxAgeHours is < 1 or > 24 * 366)
        {
            errors["backupMaxAgeHours"] = "Between 1 and 8784 hours.";
        }
        if (input.DrillMaxAgeHours is < 1 or > 24 * 366)
        {
            errors["drillMaxAgeHours"] = "Between 1 and 8784 hours.";
        }
        if (input.Checks is { } checks)
        {
            CheckChecks(errors, checks);
        }
        return errors;
    }

    private static void CheckMethod(Dictionary<string, string> errors, BackupTargetInput input, bool builtIn)
    {
        var method = input.Method ?? BackupMethods.PgDump;
        if (!BackupMethods.IsKnown(method))
        {
            errors["method"] = $"The method is {BackupMethods.PgDump} or {BackupMethods.PgBackRest}.";
            return;
        }
        if (method == BackupMethods.PgDump)
        {
            if (!string.IsNullOrEmpty(input.Stanza) || !string.IsNullOrEmpty(input.PgBackRestConfig))
            {
                errors["method"] = "A stanza and a pgbackrest.conf belong to the pgbackrest method only.";
            }
            return;
        }
        if (builtIn)
        {
            errors["method"] = "The portal's own database is backed up with pg_dump.";
            return;
        }
        if (input.Stanza is not { } stanza || !Stanza().IsMatch(stanza))
        {
            errors["stanza"] = "The stanza's name: letters, digits, '.', '_' or '-' (up to 64), as in pgbackrest.conf.";
        }
        if (ConfigError(input.PgBackRestConfig) is { } configError)
        {
            errors["pgBackRestConfig"] = configError;
        }
    }

    /// <summary>Why a pgbackrest.conf path is refused: it must be an absolute path of a readable file.</summary>
    public static string? ConfigError(string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || !Path.IsPathFullyQualified(path) || path.Length > 900 || path.Contains('\0', StringComparison.Ordinal)
            || path.Contains('\n', StringComparison.Ordinal) || path.Contains("/../", StringComparison.Ordinal))
        {
            return "The absolute path of the pgbackrest.conf that defines the stanza, such as /etc/pgbackrest/pgbackrest.conf.";
        }
        return File.Exists(path) ? null : $"There is no file {path} on the portal's machine (pgbackrest runs there).";
    }

    private static void CheckChecks(Dictionary<string, string> errors, BackupChecks checks)
    {
        if (checks.RowCountTolerancePercent is < 0 or > 100)
        {
            errors["checks.rowCountTolerancePercent"] = "A percentage between 0 and 100.";
        }
        for (var i = 0; i < checks.Freshness.Count; i++)
        {
            var f = checks.Freshness[i];
            if (!IsTable(f.Table) || !Identifier().IsMatch(f.Column ?? "") || f.MaxAgeHours is < 1 or > 24 * 366)
            {
                errors[$"checks.freshness[{i}]"] = "A table (name or schema.name), a column (letters, digits, _) and maxAgeHours between 1 and 8784.";
            }
        }
        for (var i = 0; i < checks.Assertions.Count; i++)
        {
            var a = checks.Assertions[i];
            if (string.IsNullOrWhiteSpace(a.Name) || a.Name.Length > 100 || string.IsNullOrWhiteSpace(a.Sql) || a.Sql.Length > 4000)
            {
                errors[$"checks.assertions[{i}]"] = "A name (≤ 100) and one SQL query (≤ 4000 characters) returning true when the data is right.";
            }
        }
        if (checks.Freshness.Count + checks.Assertions.Count > 50)
        {
            errors["checks"] = "At most 50 freshness checks and assertions.";
        }
    }

    private static void CheckCron(Dictionary<string, string> errors, string field, string? cron)
    {
        if (CronError(cron) is { } error)
        {
            errors[field] = error;
        }
    }

    /// <summary>Why a cron expression is refused; null when it is empty (on demand only) or valid.</summary>
    public static string? CronError(string? cron)
    {
        if (string.IsNullOrWhiteSpace(cron))
        {
            return null;
        }
        try
        {
            CronExpression.Parse(cron);
            return null;
        }
        catch (CronFormatException)
        {
            return "A cron expression of 5 fields (UTC), such as 0 2 * * * for 02:00 every day.";
        }
    }

    public static bool IsTable(string? table) =>
        table is not null && table.Split('.') is { Length: 1 or 2 } parts && parts.All(p => Identifier().IsMatch(p));

    /// <summary>"schema"."table" for a checked name (public when no schema is given).</summary>
    public static string QuoteTable(string table)
    {
        var parts = table.Split('.');
        return parts.Length == 1 ? $"\"public\".\"{parts[0]}\"" : $"\"{parts[0]}\".\"{parts[1]}\"";
    }

    /// <summary>host:port/database, without user or password; null when it is not a usable connection string.</summary>
    public static string? ServerOf(string connectionString)
    {
        try
        {
            var b = new NpgsqlConnectionStringBuilder(connectionString);
            return string.IsNullOrWhiteSpace(b.Host) || string.IsNullOrWhiteSpace(b.Database) ? null : $"{b.Host}:{b.Port}/{b.Database}";
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z")]
    private static partial Regex Stanza();

    [GeneratedRegex(@"\A[A-Za-z_][A-Za-z0-9_]{0,62}\z")]
    private static partial Regex Identifier();
}

/// <summary>A target as an Admin enters it. On update, a null connection string keeps the stored one.</summary>
public sealed record BackupTargetInput(
    string Name,
    string? ConnectionString,
    string? Destination,
    string? Schedule,
    string? DrillSchedule,
    int KeepDaily = 7,
    int KeepWeekly = 4,
    int KeepMonthly = 6,
    int BackupMaxAgeHours = 26,
    int DrillMaxAgeHours = 192,
    BackupChecks? Checks = null,
    string? Method = null,
    string? Stanza = null,
    string? PgBackRestConfig = null);

internal static class BackupRefusals
{
    public static Refusal TargetNotFound(long id) => Refusal.NotFound($"There is no backup target {id}.");
    public static Refusal BackupNotFound(long id) => Refusal.NotFound($"There is no backup {id}.");
}
