using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using OpsPortal.Core.Logs.Parsing;

namespace OpsPortal.Core.Logs.Ingest;

/// <summary>
/// Encodes <see cref="AccessRecord"/>s as PostgreSQL's binary COPY format, for a raw binary COPY of the
/// <c>access</c> columns in <see cref="Columns"/> order. Issue 14.8: Npgsql's typed importer resolves and
/// writes each of the 24 fields through a generic parameter (about two thirds of the import's client CPU);
/// writing the bytes ourselves leaves the server's COPY as the import's only real cost.
/// </summary>
/// <remarks>
/// The formats are PostgreSQL's send functions: big-endian integers and doubles, <c>timestamp</c> as
/// microseconds since 2000-01-01 (±infinity for <see cref="DateTime.MinValue"/>/<see cref="DateTime.MaxValue"/>,
/// as Npgsql writes them), <c>inet</c> as family, bits, is_cidr, length and address, text as strict UTF-8 (a
/// string that is not valid UTF-16 fails the batch, as it did through Npgsql). One encoder per COPY stream.
/// </remarks>
internal sealed class AccessCopyEncoder
{
    public const string Columns = """
        id, ip, hostname, username, date, method, path, protocol, status, size, referrer, useragent,
        clienttime, backendtime, backendip, backendport, backendstatus, ssl_cipher, ssl_protocol,
        scheme, source_id, remote_host, raw_request, query
        """;

    private const short FieldCount = 24;
    private const int TextColumns = 11;
    private const long PostgresEpochTicks = 630822816000000000; // 2000-01-01T00:00:00 in DateTime ticks
    private const byte InetFamily4 = 2; // PGSQL_AF_INET
    private const byte InetFamily6 = 3; // PGSQL_AF_INET6

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // "PGCOPY\n\xff\r\n\0", then 32-bit flags and header-extension length, both 0.
    private static ReadOnlySpan<byte> Header => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0,
        0, 0, 0, 0, 0, 0, 0, 0];

    // The parser shares string instances between rows (methods, hosts, agents): the last one per text
    // column is encoded once.
    private readonly string?[] _lastText = new string?[TextColumns];
    private readonly byte[][] _lastBytes = new byte[TextColumns][];

    private byte[] _buffer;

    public AccessCopyEncoder(int initialCapacity = 1 << 16)
    {
        _buffer = new byte[Math.Max(initialCapacity, 1024)];
        for (var i = 0; i < TextColumns; i++)
        {
            _lastBytes[i] = [];
        }
    }

    /// <summary>Bytes encoded and not yet taken.</summary>
    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Encoded => _buffer.AsMemory(0, Length);

    /// <summary>Forgets the encoded bytes (after they were sent); the string cache stays.</summary>
    public void Clear() => Length = 0;

    public void WriteHeader() => Append(Header);

    /// <summary>The end-of-data marker that closes a binary COPY.</summary>
    public void WriteTrailer() => WriteInt16(-1);

    public void WriteRow(long id, AccessRecord r, int sourceId)
    {
        WriteInt16(FieldCount);
        WriteInt64Field(id);
        WriteInet(r.Ip);
        WriteText(0, r.Hostname);
        WriteText(1, r.Username);
        WriteTimestamp(r.Date);
        WriteText(2, r.Method);
        WriteText(3, r.Path);
        WriteText(4, r.Protocol);
        WriteInt32Field(r.Status);
        WriteInt32Field(r.Size);
        WriteText(5, r.Referrer);
        WriteText(6, r.UserAgent);
        WriteDoubleField(r.ClientTime);
        WriteDoubleField(r.BackendTime);
        WriteInet(r.BackendIp);
        WriteInt32Field(r.BackendPort);
        WriteInt32Field(r.BackendStatus);
        WriteText(7, r.SslCipher);
        WriteText(8, r.SslProtocol);
        WriteText(9, r.Scheme);
        WriteInt32Field(sourceId);
        WriteText(10, r.RemoteHost);
        WriteUncachedText(r.RawRequest);
        WriteUncachedText(r.Query);
    }

    private void WriteText(int column, string? value)
    {
        if (value is null)
        {
            WriteNull();
            return;
        }
        if (!ReferenceEquals(value, _lastText[column]))
        {
            _lastBytes[column] = Utf8.GetBytes(value);
            _lastText[column] = value;
        }
        var bytes = _lastBytes[column];
        WriteInt32(bytes.Length);
        Append(bytes);
    }

    private void WriteUncachedText(string? value)
    {
        if (value is null)
        {
            WriteNull();
            return;
        }
        var max = Utf8.GetMaxByteCount(value.Length);
        var span = Reserve(4 + max);
        var written = Utf8.GetBytes(value, span[4..]);
        BinaryPrimitives.WriteInt32BigEndian(span, written);
        Length += 4 + written;
    }

    private void WriteInet(IPAddress? ip)
    {
        if (ip is null)
        {
            WriteNull();
            return;
        }
        var span = Reserve(4 + 4 + 16);
        if (!ip.TryWriteBytes(span[8..], out var n))
        {
            throw new InvalidOperationException("An IP address did not fit 16 bytes.");
        }
        BinaryPrimitives.WriteInt32BigEndian(span, 4 + n);
        span[4] = ip.AddressFamily == AddressFamily.InterNetwork ? InetFamily4 : InetFamily6;
        span[5] = (byte)(n * 8);
        span[6] = 0;
        span[7] = (byte)n;
        Length += 8 + n;
    }

    private void WriteTimestamp(DateTime t)
    {
        var micros = t == DateTime.MaxValue ? long.MaxValue
            : t == DateTime.MinValue ? long.MinValue
            : (t.Ticks - PostgresEpochTicks) / TimeSpan.TicksPerMicrosecond;
        WriteInt64Field(micros);
    }

    private void WriteInt32Field(int? value)
    {
        if (value is not { } v)
        {
            WriteNull();
            return;
        }
        var span = Reserve(8);
        BinaryPrimitives.WriteInt32BigEndian(span, 4);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], v);
        Length += 8;
    }

    private void WriteInt64Field(long value)
    {
        var span = Reserve(12);
        BinaryPrimitives.WriteInt32BigEndian(span, 8);
        BinaryPrimitives.WriteInt64BigEndian(span[4..], value);
        Length += 12;
    }

    private void WriteDoubleField(double? value)
    {
        if (value is not { } v)
        {
            WriteNull();
            return;
        }
        var span = Reserve(12);
        BinaryPrimitives.WriteInt32BigEndian(span, 8);
        BinaryPrimitives.WriteDoubleBigEndian(span[4..], v);
        Length += 12;
    }

    private void WriteNull() => WriteInt32(-1);

    private void WriteInt16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(Reserve(2), value);
        Length += 2;
    }

    private void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(Reserve(4), value);
        Length += 4;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        Length += bytes.Length;
    }

    /// <summary>Room for <paramref name="size"/> more bytes at <see cref="Length"/> (the buffer grows, never shrinks).</summary>
    private Span<byte> Reserve(int size)
    {
        if (Length + size > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + size));
        }
        return _buffer.AsSpan(Length, size);
    }
}
