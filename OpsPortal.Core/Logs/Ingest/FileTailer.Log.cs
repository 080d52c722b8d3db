using Microsoft.Extensions.Logging;

namespace OpsPortal.Core.Logs.Ingest;

internal sealed partial class FileTailer
{
    [LoggerMessage(LogLevel.Information, "Log source {Source}: reading {Path} from the start (no stored position)")]
    private partial void LogStarting(string source, string path);

    [LoggerMessage(LogLevel.Information, "Log source {Source}: resuming {Path} at offset {Offset}")]
    private partial void LogResuming(string source, string path, long offset);

    [LoggerMessage(LogLevel.Warning, "Log source {Source}: {Path} is shorter than the stored offset {Offset}, so it was truncated while stopped; reading it from the start")]
    private partial void LogTruncatedWhileStopped(string source, string path, long offset);

    [LoggerMessage(LogLevel.Information, "Log source {Source}: {Path} was rotated while stopped; finishing the old file, now {OldPath}, from offset {Offset} first")]
    private partial void LogResumingRotated(string source, string path, string oldPath, long offset);

    [LoggerMessage(LogLevel.Warning, "Log source {Source}: {Path} was rotated while stopped and the old file ({FileId}) is no longer next to it; " +
        "reading the new file from the start (what the old one got after offset {Offset} is not ingested)")]
    private partial void LogRotatedWhileStopped(string source, string path, string fileId, long offset);

    [LoggerMessage(LogLevel.Information, "Log source {Source}: {Path} was rotated; read the old file to its end ({Offset} bytes), following the new one")]
    private partial void LogRotated(string source, string path, long offset);

    [LoggerMessage(LogLevel.Information, "Log source {Source}: {Path} was truncated below offset {Offset} (copytruncate); reading from the start")]
    private partial void LogTruncated(string source, string path, long offset);

    [LoggerMessage(LogLevel.Warning, "Log source {Source}: {Problem}; waiting for it")]
    private partial void LogWaitingForFile(string source, string problem);

    [LoggerMessage(LogLevel.Warning, "Log source {Source}: tailing failed; starting again from the stored position in {Seconds} s")]
    private partial void LogTailFailed(Exception ex, string source, double seconds);

    [LoggerMessage(LogLevel.Warning, "Log source {Source}: could not record an error on the source")]
    private partial void LogRecordErrorFailed(Exception ex, string source);
}
