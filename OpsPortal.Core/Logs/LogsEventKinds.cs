namespace OpsPortal.Core.Logs;

/// <summary>What the log feature writes to the events spine.</summary>
public static class LogsEventKinds
{
    public const string SourceSubject = "log_source";

    public const string SourceCreated = "logs.source_created";
    public const string SourceChanged = "logs.source_changed";
    public const string SourceDeleted = "logs.source_deleted";

    /// <summary>A file source's file went away before it was read to its end (issue 14.7).</summary>
    public const string LinesLost = "logs.lines_lost";
}
