using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace OpsPortal.Core.Logs.Syslog;

/// <summary>UDP receiving, and the accounting of messages no source takes (shared with TCP).</summary>
internal sealed partial class SyslogListener
{
    private async Task ReceiveUdpAsync(Socket socket, CancellationToken ct)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(64 * 1024);
        var sender = new SocketAddress(socket.AddressFamily);
        while (true)
        {
            int received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, sender, ct);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException && ct.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                // An ICMP error from an earlier send, or a datagram larger than any syslog sender makes.
                continue;
            }
            catch (SocketException ex)
            {
                LogReceiveFailed(ex, "UDP");
                await Task.Delay(TimeSpan.FromMilliseconds(200), _clock, ct);
                continue;
            }
            try
            {
                OnDatagram(buffer.AsSpan(0, received), sender);
            }
            catch (Exception ex)
            {
                // One bad datagram must not end UDP ingestion for every source.
                LogReceiveFailed(ex, "UDP");
            }
        }
    }

    private void OnDatagram(ReadOnlySpan<byte> datagram, SocketAddress sender)
    {
        var tooLong = datagram.Length > _routes.MaxFrameLength;
        var frame = tooLong ? datagram[..Math.Min(datagram.Length, SyslogFraming.TooLongPrefixLength)] : datagram;
        var route = _routes.Route(frame, tooLong, out var queue, out var line);
        if (route != SyslogRoute.Routed)
        {
            CountUnrouted(route, frame, "UDP", sender);
        }
        else if (!queue!.TryEnqueue(line))
        {
            line.Return();
            queue.CountDrop();
            Interlocked.Increment(ref _udpDropped);
        }
    }

    private void CountUnrouted(SyslogRoute route, ReadOnlySpan<byte> frame, string transport, object? sender)
    {
        var count = (route == SyslogRoute.Malformed ? _malformed : _unknownTag).Increment();
        if (count == 0)
        {
            return;
        }
        // Only a report is worth the cost of addresses and strings.
        var from = sender is SocketAddress address
            ? new IPEndPoint(address.Family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0).Create(address).ToString()
            : sender?.ToString();
        _ = SyslogParser.TryParse(frame, out var message, out var error);
        if (route == SyslogRoute.Malformed)
        {
            LogMalformed(count, transport, from, SyslogParser.Describe(error));
        }
        else
        {
            LogUnknownTag(count, Encoding.UTF8.GetString(message.Tag), transport, from);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Syslog: {Count} malformed messages not ingested (last over {Transport} from {Sender}: {Reason})")]
    private partial void LogMalformed(long count, string transport, string? sender, string reason);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Syslog: {Count} messages not ingested: no enabled syslog source has their tag (last: '{Tag}' over {Transport} from {Sender})")]
    private partial void LogUnknownTag(long count, string tag, string transport, string? sender);
}
