using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace OpsPortal.Core.Logs.Syslog;

internal sealed partial class SyslogListener
{
    private async Task AcceptTcpAsync(Socket listener, CancellationToken ct)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(ct);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException && ct.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                // Out of file descriptors and the like: pause rather than spin.
                LogAcceptFailed(ex);
                await Task.Delay(TimeSpan.FromMilliseconds(200), _clock, ct);
                continue;
            }
            if (_connections.Count >= MaxConnections)
            {
                if (_refused.Increment() is var refused and > 0)
                {
                    LogTooManyConnections(refused, client.RemoteEndPoint?.ToString(), MaxConnections);
                }
                client.Dispose();
                continue;
            }
            var id = Interlocked.Increment(ref _connectionIds);
            var connection = ServeAsync(client, ct);
            _connections[id] = connection;
            _ = connection.ContinueWith(_ => _connections.TryRemove(id, out var _), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// One sender's connection. A full source queue makes this wait before reading on, so TCP's
    /// own flow control slows the sender instead of anything being dropped.
    /// </summary>
    private async Task ServeAsync(Socket client, CancellationToken ct)
    {
        var remote = client.RemoteEndPoint;
        var framing = new SyslogFraming(_routes.MaxFrameLength);
        byte[]? scratch = null;
        await using var stream = new NetworkStream(client, ownsSocket: true);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(ct);
                var buffer = result.Buffer;
                SyslogFrameStatus status;
                while ((status = framing.Read(ref buffer, result.IsCompleted, out var frame)) is SyslogFrameStatus.Frame or SyslogFrameStatus.TooLong)
                {
                    var route = RouteFrame(frame, status == SyslogFrameStatus.TooLong, ref scratch, remote, out var queue, out var line);
                    if (route == SyslogRoute.Routed && !queue!.TryEnqueue(line) && !await queue.EnqueueAsync(line, ct))
                    {
                        // The source was changed or removed between routing and queueing.
                        line.Return();
                        CountUnrouted(SyslogRoute.UnknownTag, ContiguousFrame(frame, ref scratch), "TCP", remote);
                    }
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (status == SyslogFrameStatus.Invalid)
                {
                    LogBadFraming(remote?.ToString());
                    return;
                }
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (IOException ex)
        {
            LogConnectionLost(ex, remote?.ToString());
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // Only this sender's connection ends; the sender reconnects and resends.
            LogReceiveFailed(ex, $"TCP from {remote}");
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private SyslogRoute RouteFrame(in ReadOnlySequence<byte> frame, bool tooLong, ref byte[]? scratch, EndPoint? remote,
        out SyslogSourceQueue? queue, out SyslogLine line)
    {
        var span = ContiguousFrame(frame, ref scratch);
        var route = _routes.Route(span, tooLong, out queue, out line);
        if (route != SyslogRoute.Routed)
        {
            CountUnrouted(route, span, "TCP", remote);
        }
        return route;
    }

    /// <summary>A frame spanning pipe segments is copied into one buffer per connection, sized for the largest frame.</summary>
    private ReadOnlySpan<byte> ContiguousFrame(in ReadOnlySequence<byte> frame, ref byte[]? scratch)
    {
        if (frame.IsSingleSegment)
        {
            return frame.FirstSpan;
        }
        scratch ??= new byte[Math.Max(_routes.MaxFrameLength, SyslogFraming.TooLongPrefixLength)];
        frame.CopyTo(scratch);
        return scratch.AsSpan(0, (int)frame.Length);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Syslog: accepting a TCP connection failed")]
    private partial void LogAcceptFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Syslog: refused {Count} TCP connections (last from {Remote}): {Max} connections open")]
    private partial void LogTooManyConnections(long count, string? remote, int max);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Syslog: closed TCP connection from {Remote}: octet-counted framing with a length that is not a number")]
    private partial void LogBadFraming(string? remote);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Syslog: TCP connection from {Remote} lost")]
    private partial void LogConnectionLost(Exception ex, string? remote);
}
