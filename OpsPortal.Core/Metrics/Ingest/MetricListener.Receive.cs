using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace OpsPortal.Core.Metrics.Ingest;

public sealed partial class MetricListener
{
    /// <summary>Longest line a TCP stream may send; a longer one is counted as bad and skipped up to its newline.</summary>
    public const int MaxTcpLine = MetricIngest.MaxLineLength;
    private const int MaxConnections = 512;

    private readonly ConcurrentDictionary<long, Task> _connections = new();
    private long _connectionIds;

    private Task RunUdpThread(Port port, CancellationToken ct)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                ReceiveUdp(port, ct);
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "metrics-" + MetricIngest.ProtocolName(port.Protocol),
        };
        thread.Start();
        return done.Task;
    }

    private void ReceiveUdp(Port port, CancellationToken ct)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(64 * 1024);
        var sender = new SocketAddress(port.Socket.AddressFamily);
        while (!ct.IsCancellationRequested)
        {
            int received;
            try
            {
                received = port.Socket.ReceiveFrom(buffer, SocketFlags.None, sender);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.Interrupted or SocketError.OperationAborted or SocketError.Shutdown)
            {
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue;
            }
            catch (SocketException ex)
            {
                LogReceiveFailed(ex, MetricIngest.ProtocolName(port.Protocol));
                Thread.Sleep(200);
                continue;
            }
            try
            {
                ingest.Receive(buffer.AsSpan(0, received), port.Protocol, sender);
            }
            catch (Exception ex)
            {
                // One datagram must never end the receiver.
                LogReceiveFailed(ex, MetricIngest.ProtocolName(port.Protocol));
            }
        }
    }

    private async Task AcceptTcpAsync(Port port, CancellationToken ct)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await port.Socket.AcceptAsync(ct);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException
                                       || ex is SocketException { SocketErrorCode: SocketError.OperationAborted })
            {
                break;
            }
            catch (SocketException ex)
            {
                LogReceiveFailed(ex, MetricIngest.ProtocolName(port.Protocol));
                await Task.Delay(TimeSpan.FromMilliseconds(200), _clock, ct);
                continue;
            }
            if (_connections.Count >= MaxConnections)
            {
                client.Dispose();
                continue;
            }
            var id = Interlocked.Increment(ref _connectionIds);
            var connection = ServeAsync(client, port.Protocol, ct);
            _connections[id] = connection;
            _ = connection.ContinueWith(_ => _connections.TryRemove(id, out var _), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        await Task.WhenAll(_connections.Values);
    }

    /// <summary>One sender's stream: complete lines go to the intake in runs; a partial line waits for the rest.</summary>
    private async Task ServeAsync(Socket client, MetricProtocol protocol, CancellationToken ct)
    {
        var remote = client.RemoteEndPoint;
        await using var stream = new NetworkStream(client, ownsSocket: true);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        var skipping = false;
        byte[]? scratch = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(ct);
                var buffer = result.Buffer;
                if (skipping && buffer.PositionOf((byte)'\n') is { } skipEnd)
                {
                    buffer = buffer.Slice(buffer.GetPosition(1, skipEnd));
                    skipping = false;
                }
                if (!skipping)
                {
                    var lastNewline = LastNewline(buffer);
                    if (lastNewline is { } end)
                    {
                        var lines = buffer.Slice(0, buffer.GetPosition(1, end));
                        Deliver(lines, protocol, remote, ref scratch);
                        buffer = buffer.Slice(lines.End);
                    }
                    if (result.IsCompleted && !buffer.IsEmpty)
                    {
                        // The last line of a stream needs no newline.
                        Deliver(buffer, protocol, remote, ref scratch);
                        buffer = buffer.Slice(buffer.End);
                    }
                    else if (buffer.Length > MaxTcpLine)
                    {
                        ingest.RefuseTooLong(Contiguous(buffer.Slice(0, 200), ref scratch), protocol, remote);
                        buffer = buffer.Slice(buffer.End);
                        skipping = true;
                    }
                }
                else
                {
                    buffer = buffer.Slice(buffer.End);
                }
                reader.AdvanceTo(buffer.Start, result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
            // The sender went away mid-stream; what arrived complete was taken.
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            LogReceiveFailed(ex, $"{MetricIngest.ProtocolName(protocol)} from {remote}");
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private void Deliver(in ReadOnlySequence<byte> lines, MetricProtocol protocol, object? remote, ref byte[]? scratch)
    {
        if (lines.IsSingleSegment)
        {
            ingest.Receive(lines.FirstSpan, protocol, remote);
            return;
        }
        // Across pipe segments: hand over each whole line, copying only a line that spans two segments.
        var reader = new SequenceReader<byte>(lines);
        while (reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
        {
            ingest.Receive(Contiguous(line, ref scratch), protocol, remote);
        }
        if (!reader.End)
        {
            ingest.Receive(Contiguous(reader.UnreadSequence, ref scratch), protocol, remote);
        }
    }

    private static ReadOnlySpan<byte> Contiguous(in ReadOnlySequence<byte> data, ref byte[]? scratch)
    {
        if (data.IsSingleSegment)
        {
            return data.FirstSpan;
        }
        if (scratch is null || scratch.Length < data.Length)
        {
            scratch = new byte[Math.Max(MaxTcpLine, (int)data.Length)];
        }
        data.CopyTo(scratch);
        return scratch.AsSpan(0, (int)data.Length);
    }

    private static SequencePosition? LastNewline(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsSingleSegment)
        {
            var i = buffer.FirstSpan.LastIndexOf((byte)'\n');
            return i < 0 ? null : buffer.GetPosition(i);
        }
        SequencePosition? last = null;
        var position = buffer.Start;
        var start = buffer.Start;
        while (buffer.TryGet(ref position, out var memory))
        {
            var i = memory.Span.LastIndexOf((byte)'\n');
            if (i >= 0)
            {
                last = buffer.GetPosition(i, start);
            }
            start = position;
        }
        return last;
    }
}
