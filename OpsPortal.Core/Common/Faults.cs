using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace OpsPortal.Core;

/// <summary>
/// The one translation of an unexpected failure into words a person may see (a page, a source's
/// last error, <c>/health</c>, an API problem). A database's own error text never reaches them: it
/// can carry table and constraint names, values from the row and connection details; the full
/// exception goes to the server log, where the code that caught it writes it.
/// </summary>
public static class Faults
{
    /// <summary>True when the database cannot be reached or cannot serve now (a retry may work).</summary>
    internal static bool IsDatabaseUnavailable(Exception ex) => Chain(ex).Any(e => e is NpgsqlException { IsTransient: true });

    internal static bool IsDatabase(Exception ex) => Chain(ex).Any(e => e is DbException or DbUpdateException);

    /// <summary>A sentence for a person: a generic one for any database error, the type and message otherwise.</summary>
    public static string Describe(Exception ex) =>
        IsDatabaseUnavailable(ex) ? "The database is unavailable; the details are in the server log."
        : Chain(ex).OfType<PostgresException>().FirstOrDefault() is { } pg ? Refused(pg)
        : IsDatabase(ex) ? "A database error occurred; the details are in the server log."
        : $"{ex.GetType().Name}: {ex.Message}";

    // EF wraps provider errors (a DbUpdateException, or an InvalidOperationException that suggests retrying).
    private static IEnumerable<Exception> Chain(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    // The SQLSTATE code names the class of error (22021: bad byte sequence) without repeating any data.
    private static string Refused(PostgresException pg) =>
        $"The database refused the operation (SQLSTATE {pg.SqlState}); the details are in the server log.";
}
