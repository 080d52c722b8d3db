using System.Net.Sockets;
using Npgsql;

namespace OpsPortal.Core.Data;

/// <summary>Why the database could not serve a request right now.</summary>
public enum DatabaseFault
{
    /// <summary>Not reachable: stopped, restarting, the connection lost.</summary>
    Unavailable,

    /// <summary>Reachable but saturated: this node's pool is exhausted, the server has no connection left, or a statement ran past its timeout.</summary>
    Busy,
}

/// <summary>
/// The one place that tells a passing database fault (worth a retry: 503 with Retry-After, a loop's
/// back-off) from a bug. Walks the exception and its inner exceptions, since EF Core and Hangfire wrap
/// Npgsql's.
/// </summary>
public static class DatabaseFaults
{
    // Class 08 (connection exception), 53 (insufficient resources), 57P01-57P03 (shutdown, starting up), 57014 (statement timeout / cancel).
    private static readonly HashSet<string> UnavailableStates = ["08000", "08001", "08003", "08004", "08006", "57P01", "57P02", "57P03"];
    private static readonly HashSet<string> BusyStates = ["53000", "53100", "53200", "53300", "53400", "57014"];

    public static DatabaseFault? Classify(Exception? error)
    {
        var chain = new List<Exception>();
        for (var ex = error; ex is not null; ex = ex.InnerException)
        {
            chain.Add(ex);
        }
        // The server's own answer decides when there is one.
        if (chain.OfType<PostgresException>().FirstOrDefault() is { } pg)
        {
            return BusyStates.Contains(pg.SqlState) ? DatabaseFault.Busy
                : UnavailableStates.Contains(pg.SqlState) ? DatabaseFault.Unavailable
                : null;
        }
        // A wait that ran out: the pool's ("The connection pool has been exhausted …") or a statement's
        // (Npgsql cancels it, or breaks the connection when even the cancel goes unanswered).
        if (chain.Any(ex => ex is TimeoutException))
        {
            return DatabaseFault.Busy;
        }
        return chain.Any(ex => ex is NpgsqlException { IsTransient: true } or SocketException or EndOfStreamException)
            ? DatabaseFault.Unavailable
            : null;
    }

    public static bool IsTransient(Exception? error) => Classify(error) is not null;
}
