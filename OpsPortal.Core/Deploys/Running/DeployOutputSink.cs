using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Data;

namespace OpsPortal.Core.Deploys.Running;

/// <summary>
/// Writes a deploy's output in batches: every <see cref="DeployOptions.FlushInterval"/>, what arrived
/// is masked, numbered, COPYed into <c>deploy_output</c>, counted in <c>deploys.line_count</c> and
/// announced with one NOTIFY, all in one transaction, so viewers in every process read exactly the
/// committed lines. The channel is bounded: a script printing faster than the database writes is
/// slowed down by its pipe instead of filling the portal's memory.
/// </summary>
/// <remarks>
/// While the database is away a batch is retried (with back-off) until it is stored; the lines behind it
/// wait in the channel, then in the script's pipe. Whether a failed commit went through is read back
/// from <c>line_count</c>, so a batch is never stored twice.
/// </remarks>
internal sealed partial class DeployOutputSink(NpgsqlDataSource dataSource, long deployId, SecretMasker masker, DeployOptions options, ILogger logger)
{
    public const string Channel = "ops_deploy_output";
    private const int MaxBatch = 10_000;

    private readonly Channel<OutputLine> _lines = System.Threading.Channels.Channel.CreateBounded<OutputLine>(
        new BoundedChannelOptions(50_000) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    // Set while a write is in flight or failed: the next attempt first checks whether it committed after all.
    private long? _unsure;

    public long LineCount { get; private set; }

    public ValueTask AddAsync(OutputLine line, CancellationToken ct) => _lines.Writer.WriteAsync(line, ct);

    /// <summary>No more lines will come; <see cref="RunAsync"/> writes the rest and returns.</summary>
    public void Complete() => _lines.Writer.TryComplete();

    /// <summary>Writes until <see cref="Complete"/> and everything before it is stored. Never cancelled: output is kept.</summary>
    public async Task RunAsync()
    {
        var batch = new List<OutputLine>(1024);
        var reader = _lines.Reader;
        while (await reader.WaitToReadAsync())
        {
            // The first line goes out at once (people are waiting for it); after that a burst collects
            // for one interval: one transaction per interval, not per line.
            if (LineCount > 0)
            {
                await Task.Delay(options.FlushInterval);
            }
            while (batch.Count < MaxBatch && reader.TryRead(out var line))
            {
                batch.Add(line);
            }
            await WriteReliablyAsync(batch);
            batch.Clear();
        }
    }

    private async Task WriteReliablyAsync(List<OutputLine> batch)
    {
        var backOff = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                if (await StoredCountAsync() is { } stored && stored >= LineCount + batch.Count)
                {
                    // The last attempt committed; only its answer was lost.
                    LineCount = stored;
                    return;
                }
                await WriteAsync(batch);
                return;
            }
            catch (Exception ex) when (DatabaseFaults.IsTransient(ex))
            {
                LogWriteFailed(ex, deployId, batch.Count, backOff.TotalSeconds);
            }
            await Task.Delay(backOff);
            backOff = TimeSpan.FromTicks(Math.Min(backOff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
        }
    }

    private async Task<long?> StoredCountAsync()
    {
        if (_unsure is null)
        {
            return null;
        }
        await using var cmd = dataSource.CreateCommand("SELECT line_count FROM deploys WHERE id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = deployId });
        var stored = (long)(await cmd.ExecuteScalarAsync() ?? 0L);
        _unsure = null;
        return stored;
    }

    private async Task WriteAsync(List<OutputLine> batch)
    {
        _unsure = LineCount;
        await using var conn = await dataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var copy = await conn.BeginBinaryImportAsync(
            "COPY deploy_output (deploy_id, seq, at, is_error, text) FROM STDIN (FORMAT BINARY)"))
        {
            var seq = LineCount;
            foreach (var line in batch)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(deployId, NpgsqlDbType.Bigint);
                await copy.WriteAsync(++seq, NpgsqlDbType.Bigint);
                await copy.WriteAsync(line.At, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(line.IsError, NpgsqlDbType.Boolean);
                await copy.WriteAsync(Clean(masker.Apply(line.Text), options.MaxLineLength), NpgsqlDbType.Text);
            }
            await copy.CompleteAsync();
        }
        var count = LineCount + batch.Count;
        await using (var batchCmd = new NpgsqlBatch(conn, tx))
        {
            batchCmd.BatchCommands.Add(new NpgsqlBatchCommand("UPDATE deploys SET line_count = $1 WHERE id = $2")
            {
                Parameters = { new NpgsqlParameter { Value = count }, new NpgsqlParameter { Value = deployId } },
            });
            batchCmd.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_notify($1, $2)")
            {
                Parameters = { new NpgsqlParameter { Value = Channel }, new NpgsqlParameter { Value = Notice(deployId, count) } },
            });
            await batchCmd.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        LineCount = count;
        _unsure = null;
    }

    [LoggerMessage(LogLevel.Warning, "Storing {Lines} output lines of deploy {DeployId} failed; trying again in {Seconds} s")]
    private partial void LogWriteFailed(Exception ex, long deployId, int lines, double seconds);

    public static string Notice(long deployId, long lineCount) =>
        string.Create(CultureInfo.InvariantCulture, $"{deployId}:{lineCount}");

    /// <summary>PostgreSQL text holds no NUL; very long lines are cut with a visible marker.</summary>
    internal static string Clean(string text, int maxLength)
    {
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            text = text.Replace('\0', '\uFFFD');
        }
        return text.Length <= maxLength ? text : string.Concat(text.AsSpan(0, maxLength), $" … [{text.Length - maxLength} more characters cut]");
    }
}
