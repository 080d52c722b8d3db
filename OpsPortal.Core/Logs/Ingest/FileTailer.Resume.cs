using Microsoft.EntityFrameworkCore;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Logs.Sources;

namespace OpsPortal.Core.Logs.Ingest;

internal sealed partial class FileTailer
{
    /// <summary>Where to go on from: the committed cursor checked against what is at the path now.</summary>
    private async Task<(TailFile File, long Start)> ResumeAsync(CancellationToken ct)
    {
        var stored = await LoadCursorAsync(ct);
        _committed = stored is null ? null : new FilePosition(stored.FileId, stored.Offset);
        var file = await OpenWhenPresentAsync(ct);
        if (stored is null)
        {
            LogStarting(source.Name, _path);
            return (file, 0);
        }
        if (stored.FileId == file.Id)
        {
            if (file.Length < stored.Offset)
            {
                LogTruncatedWhileStopped(source.Name, _path, stored.Offset);
                await RecordLossAsync(stored, file, Known(stored) +
                    $"{_path} was truncated while it was not being read (read to byte {stored.Offset:N0}); what it got after that, " +
                    "before the truncation, was not ingested.", ct);
                return (file, 0);
            }
            LogResuming(source.Name, _path, stored.Offset);
            return (file, stored.Offset);
        }
        if (TailFile.FindRotated(_path, stored.FileId, _allowed) is { } old)
        {
            // Rotated while we were stopped, and the old file is still next to it: finish it first.
            LogResumingRotated(source.Name, _path, old.Path, stored.Offset);
            file.Dispose();
            return (old, old.Length >= stored.Offset ? stored.Offset : 0);
        }
        LogRotatedWhileStopped(source.Name, _path, stored.FileId, stored.Offset);
        await RecordLossAsync(stored, file, Known(stored) +
            $"The previous {_path} (file {stored.FileId}) was rotated away while it was not being read and is no longer next to it: " +
            $"it was read to byte {stored.Offset:N0}; what it got after that was not ingested.", ct);
        return (file, 0);
    }

    private static string Known(LogFileCursor c) =>
        c.Size > c.Offset ? $"{c.Size - c.Offset:N0} bytes known lost. " : "";

    /// <summary>
    /// Puts the loss on the source (the Sources page) and the events spine, and moves the cursor to the
    /// start of <paramref name="file"/> in the same transaction, so a retry or another node does not
    /// count the same loss again (a moved cursor means someone else already did).
    /// </summary>
    private async Task RecordLossAsync(LogFileCursor stored, TailFile file, string what, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        var moved = await db.LogFileCursors
            .Where(c => c.SourceId == source.Id && c.FileId == stored.FileId && c.Offset == stored.Offset)
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.FileId, file.Id).SetProperty(x => x.Offset, 0L)
                .SetProperty(x => x.Size, 0L).SetProperty(x => x.UpdatedAt, now), ct);
        if (moved != 1)
        {
            return;
        }
        var known = Math.Max(0, stored.Size - stored.Offset);
        await db.LogSources.Where(s => s.Id == source.Id).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.LossCount, x => x.LossCount + 1)
            .SetProperty(x => x.LostBytes, x => x.LostBytes + known)
            .SetProperty(x => x.LastLoss, what.Length > 1000 ? what[..1000] : what)
            .SetProperty(x => x.LastLossAt, now), ct);
        events.Append(db, Actor.System("file-tail").Name, LogsEventKinds.LinesLost, LogsEventKinds.SourceSubject,
            source.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), $"Log source {source.Name}: {what}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        _committed = new FilePosition(file.Id, 0);
    }

    private async Task<LogFileCursor?> LoadCursorAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.LogFileCursors.AsNoTracking().SingleOrDefaultAsync(c => c.SourceId == source.Id, ct);
    }

    private async Task<TailFile> OpenWhenPresentAsync(CancellationToken ct)
    {
        string? reported = null;
        while (true)
        {
            string problem;
            try
            {
                if (TailFile.TryOpen(_path, _allowed) is { } file)
                {
                    return file;
                }
                problem = $"{_path} does not exist";
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                problem = $"{_path}: {ex.Message}";
            }
            // Once per kind of trouble, not once per retry: the Sources page shows it until it changes.
            if (problem != reported)
            {
                LogWaitingForFile(source.Name, problem);
                await TryRecordErrorAsync(problem + "; waiting for it.", ct);
                reported = problem;
            }
            await Task.Delay(MissingFileRetry, clock, ct);
        }
    }
}
