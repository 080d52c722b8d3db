using System.Net;
using Npgsql;

namespace OpsPortal.Core.Logs.Search;

/// <summary>
/// The access row a search's reader is on, read field by field without building a <see cref="LogRow"/>:
/// valid only inside the callback of <see cref="LogRowSearch.ScanAsync"/>. Same fields and values as
/// <see cref="LogRow"/> (<see cref="ToRow"/>); <see cref="Date"/> is UTC.
/// </summary>
public readonly struct LogRowView
{
    private readonly NpgsqlDataReader _reader;

    internal LogRowView(NpgsqlDataReader reader) => _reader = reader;

    public long Id => _reader.GetInt64(0);
    public DateTime Date => DateTime.SpecifyKind(_reader.GetDateTime(1), DateTimeKind.Utc);
    public IPAddress? Ip => Address(2);
    public string? Hostname => Text(3);
    public string? Username => Text(4);
    public string? Method => Text(5);
    public string? Path => Text(6);
    public string? Protocol => Text(7);
    public int? Status => Int(8);
    public int? Size => Int(9);
    public string? Referrer => Text(10);
    public string? Useragent => Text(11);
    public double? Clienttime => _reader.IsDBNull(12) ? null : _reader.GetDouble(12);
    public double? Backendtime => _reader.IsDBNull(13) ? null : _reader.GetDouble(13);
    public IPAddress? Backendip => Address(14);
    public int? Backendport => Int(15);
    public int? Backendstatus => Int(16);
    public string? SslCipher => Text(17);
    public string? SslProtocol => Text(18);
    public string? Scheme => Text(19);
    public int? SourceId => Int(20);
    public string? RemoteHost => Text(21);
    public string? RawRequest => Text(22);
    public string? Query => Text(23);

    internal LogRow ToRow() => AccessQuery.ReadRow(_reader);

    private string? Text(int i) => _reader.IsDBNull(i) ? null : _reader.GetString(i);

    private int? Int(int i) => _reader.IsDBNull(i) ? null : _reader.GetInt32(i);

    private IPAddress? Address(int i) => _reader.IsDBNull(i) ? null : _reader.GetFieldValue<IPAddress>(i);
}
