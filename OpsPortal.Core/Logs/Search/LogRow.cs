namespace OpsPortal.Core.Logs.Search;

/// <summary>One row of the access table as search returns it; <see cref="Date"/> is UTC. <see cref="Path"/> is
/// without the query string, which is <see cref="Query"/> (ADR-044).</summary>
public sealed record LogRow(
    long Id,
    DateTime Date,
    string? Ip,
    string? Hostname,
    string? Username,
    string? Method,
    string? Path,
    string? Protocol,
    int? Status,
    int? Size,
    string? Referrer,
    string? Useragent,
    double? Clienttime,
    double? Backendtime,
    string? Backendip,
    int? Backendport,
    int? Backendstatus,
    string? SslCipher,
    string? SslProtocol,
    string? Scheme,
    int? SourceId,
    string? RemoteHost,
    string? RawRequest,
    string? Query = null)
{
    /// <summary>The request as logged: path?query, or the raw request line when it had no path.</summary>
    public string? Request => RequestOf(Path, Query, RawRequest);

    /// <summary>What a row shows as its request: path?query, or the raw request line when it had no path.</summary>
    public static string? RequestOf(string? path, string? query, string? rawRequest) =>
        path is null ? rawRequest : query is null ? path : path + "?" + query;
}

/// <summary>A page of rows, newest first; <see cref="Next"/> is the cursor for the following page, if any.</summary>
public sealed record LogPage(IReadOnlyList<LogRow> Rows, string? Next);

public sealed record LogBucket(string? Key, long Count);

/// <summary><see cref="Total"/> counts every matching row, not only those in the returned buckets.</summary>
public sealed record LogStats(long Total, IReadOnlyList<LogBucket> Buckets);
