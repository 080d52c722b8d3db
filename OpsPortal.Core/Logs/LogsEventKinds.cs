namespace OpsPortal.Core.Logs;

/// <summary>What the logs feature writes on the events spine.</summary>
public static class LogsEventKinds
{
    public const string SourceSubjectType = "log_source";
    public const string SavedSearchSubjectType = "saved_search";
    public const string AccessSubjectType = "access";

    public const string SourceCreated = "logs.source_created";
    public const string SourceChanged = "logs.source_changed";
    public const string SourceDeleted = "logs.source_deleted";
    public const string SearchSaved = "logs.search_saved";
    public const string SearchDeleted = "logs.search_deleted";
    public const string PartitionsDropped = "logs.partitions_dropped";
}
