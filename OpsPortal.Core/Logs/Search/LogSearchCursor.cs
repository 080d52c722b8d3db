using System.Buffers.Binary;

namespace OpsPortal.Core.Logs.Search;

/// <summary>The opaque keyset cursor: the (date, id) of the last row of a page, base64url-encoded.</summary>
internal static class LogSearchCursor
{
    public static string Encode(DateTime date, long id)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, date.Ticks);
        BinaryPrimitives.WriteInt64BigEndian(bytes[8..], id);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static bool TryDecode(string? cursor, out DateTime date, out long id)
    {
        date = default;
        id = 0;
        if (cursor is null || cursor.Length != 22)
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[16];
        var base64 = cursor.Replace('-', '+').Replace('_', '/') + "==";
        if (!Convert.TryFromBase64String(base64, bytes, out var written) || written != 16)
        {
            return false;
        }
        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes);
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
        {
            return false;
        }
        date = new DateTime(ticks, DateTimeKind.Unspecified);
        id = BinaryPrimitives.ReadInt64BigEndian(bytes[8..]);
        return true;
    }
}
