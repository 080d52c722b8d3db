using Microsoft.EntityFrameworkCore;

namespace OpsPortal.Core.Logs.Ingest;

public sealed partial class FileTailer
{
    /// <summary>Where to go on from: the committed cursor checked against what is at the path now.</summary>
    private async Task<(TailFile File, long Start)> ResumeAsync(CancellationToken ct)
    {
        _committed = await LoadCursorAsync(ct);
        var file = await OpenWhenPresentAsync(ct);
        if (_committed is not { } cursor)
        {
            LogStarting(source.Name, _path);
            return (file, 0);
        }
        if (cursor.FileId == file.Id)
        {
            if (file.Length < cursor.Offset)
            {
                LogTruncatedWhileStopped(source.Name, _path, cursor.Offset);
                return (file, 0);
            }
            LogResuming(source.Name, _path, cursor.Offset);
            return (file, cursor.Offset);
        }
        if (TailFile.FindRotated(_path, cursor.FileId) is { } old)
        {
            // Rotated while we were stopped, and the old file is still next to it: finish it first.
            LogResumingRotated(source.Name, _path, old.Path, cursor.Offset);
            file.Dispose();
            return (old, old.Length >= cursor.Offset ? cursor.Offset : 0);
        }
        LogRotatedWhileStopped(source.Name, _path, cursor.FileId, cursor.Offset);
        return (file, 0);
    }

    private async Task<FilePosition?> LoadCursorAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cursor = await db.LogFileCursors.AsNoTracking().SingleOrDefaultAsync(c => c.SourceId == source.Id, ct);
        return cursor is null ? null : new FilePosition(cursor.FileId, cursor.Offset);
    }

    private async Task<TailFile> OpenWhenPresentAsync(CancellationToken ct)
    {
        string? reported = null;
        while (true)
        {
            string problem;
            try
            {
                if (TailFile.TryOpen(_path) is { } file)
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
