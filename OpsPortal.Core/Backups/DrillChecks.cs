using System.Globalization;
using Npgsql;

namespace OpsPortal.Core.Backups;

/// <summary>The checks a drill runs on the restored copy; each returns what it found, or throws saying what is wrong.</summary>
internal static class DrillChecks
{
    /// <summary>Every table counted at backup time has, restored, as many rows (within the tolerance).</summary>
    public static async Task<string> RowCountsAsync(string scratch, IReadOnlyDictionary<string, long> recorded, double tolerancePercent, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(scratch);
        await conn.OpenAsync(ct);
        var restored = await BackupRunner.CountRowsAsync(conn, null, ct);
        var wrong = new List<string>();
        foreach (var (table, expected) in recorded.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!restored.TryGetValue(table, out var actual))
            {
                wrong.Add($"{table} is missing");
            }
            else if (Math.Abs(actual - expected) > expected * tolerancePercent / 100.0)
            {
                wrong.Add($"{table} has {actual} rows, {expected} at backup");
            }
        }
        if (wrong.Count > 0)
        {
            throw new BackupFailedException($"{wrong.Count} of {recorded.Count} tables differ (tolerance {tolerancePercent.ToString(CultureInfo.InvariantCulture)} %): {string.Join("; ", wrong.Take(10))}");
        }
        return $"{recorded.Count} tables, {recorded.Values.Sum()} rows, as at backup";
    }

    /// <summary>max(column) of each table is at most MaxAgeHours older than the backup.</summary>
    public static async Task<string> FreshnessAsync(string scratch, IReadOnlyList<FreshnessCheck> checks, DateTimeOffset backupTime, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(scratch);
        await conn.OpenAsync(ct);
        var found = new List<string>();
        foreach (var check in checks)
        {
            if (!BackupTargetRules.IsTable(check.Table))
            {
                throw new BackupFailedException($"{check.Table} is not a table name");
            }
#pragma warning disable CA2100 // Table and column checked as plain identifiers when saved and here, then quoted.
            await using var cmd = new NpgsqlCommand($"SELECT max({BackupRunner.Quote(check.Column)}) FROM {BackupTargetRules.QuoteTable(check.Table)}", conn);
#pragma warning restore CA2100
            var value = await cmd.ExecuteScalarAsync(ct);
            DateTimeOffset? newest = value switch
            {
                DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
                DateTimeOffset o => o,
                DateOnly day => new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
                _ => null,
            };
            var name = $"{check.Table}.{check.Column}";
            if (newest is null)
            {
                throw new BackupFailedException(value is null or DBNull ? $"{name} has no rows" : $"{name} is not a date or time column");
            }
            var age = backupTime - newest.Value;
            if (age > TimeSpan.FromHours(check.MaxAgeHours))
            {
                throw new BackupFailedException(
                    $"{name}: the newest value {newest.Value.UtcDateTime:yyyy-MM-dd HH:mm}Z is {age.TotalHours:0.#} h older than the backup (allowed {check.MaxAgeHours} h)");
            }
            found.Add($"{name} {Math.Max(0, age.TotalHours):0.#} h before the backup");
        }
        return string.Join("; ", found);
    }

    /// <summary>Each assertion, in a read-only transaction with a statement timeout, must return true.</summary>
    public static async Task<string> AssertionsAsync(string scratch, IReadOnlyList<SqlAssertion> assertions, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(scratch);
        await conn.OpenAsync(ct);
        foreach (var assertion in assertions)
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            await using (var setup = new NpgsqlCommand("SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = '60s'", conn, tx))
            {
                await setup.ExecuteNonQueryAsync(ct);
            }
            object? value;
            try
            {
#pragma warning disable CA2100 // The team's own assertion, entered by an Admin, run read-only on the scratch copy only.
                await using var cmd = new NpgsqlCommand(assertion.Sql, conn, tx);
#pragma warning restore CA2100
                value = await cmd.ExecuteScalarAsync(ct);
            }
            catch (PostgresException ex)
            {
                throw new BackupFailedException($"assertion '{assertion.Name}' could not run: {ex.MessageText}");
            }
            await tx.RollbackAsync(ct);
            if (value is not true)
            {
                throw new BackupFailedException($"assertion '{assertion.Name}' returned {(value is null or DBNull ? "nothing" : Convert.ToString(value, CultureInfo.InvariantCulture))}, not true");
            }
        }
        return $"{assertions.Count} assertion(s) true";
    }
}
