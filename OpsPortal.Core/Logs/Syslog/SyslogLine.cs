using System.Buffers;

namespace OpsPortal.Core.Logs.Syslog;

/// <summary>
/// One received message on its way to a source: the sender's host and the payload, in an array
/// rented from the shared pool (the receive buffer is reused before the consumer runs).
/// </summary>
internal readonly record struct SyslogLine(byte[] Buffer, int HostLength, int MessageLength, bool TooLong)
{
    public ReadOnlySpan<byte> Host => Buffer.AsSpan(0, HostLength);
    public ReadOnlySpan<byte> Message => Buffer.AsSpan(HostLength, MessageLength);

    public static SyslogLine Rent(ReadOnlySpan<byte> host, ReadOnlySpan<byte> message, bool tooLong)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, host.Length + message.Length));
        host.CopyTo(buffer);
        message.CopyTo(buffer.AsSpan(host.Length));
        return new SyslogLine(buffer, host.Length, message.Length, tooLong);
    }

    public void Return() => ArrayPool<byte>.Shared.Return(Buffer);
}
