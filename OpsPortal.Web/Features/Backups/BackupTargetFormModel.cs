using OpsPortal.Core.Backups;

namespace OpsPortal.Web.Features.Backups;

/// <summary>What the add/edit form binds to; <see cref="ToInput"/> makes the same request the API takes.</summary>
public sealed class BackupTargetFormModel
{
    public string Name { get; set; } = "";

    /// <summary>Typed anew or nothing: an edit with this empty keeps the stored connection string.</summary>
    public string? ConnectionString { get; set; }

    /// <summary><see cref="BackupMethods.PgDump"/> or <see cref="BackupMethods.PgBackRest"/>.</summary>
    public string Method { get; set; } = BackupMethods.PgDump;
    public string? Stanza { get; set; }
    public string? PgBackRestConfig { get; set; }

    public bool IsPgBackRest => Method == BackupMethods.PgBackRest;

    public string? Destination { get; set; }
    public string? Schedule { get; set; } = "0 2 * * *";
    public string? DrillSchedule { get; set; } = "30 3 * * 0";
    public int KeepDaily { get; set; } = 7;
    public int KeepWeekly { get; set; } = 4;
    public int KeepMonthly { get; set; } = 6;
    public int BackupMaxAgeHours { get; set; } = 26;
    public int DrillMaxAgeHours { get; set; } = 192;
    public double RowCountTolerancePercent { get; set; }
    public List<FreshnessRow> Freshness { get; } = [];
    public List<AssertionRow> Assertions { get; } = [];

    public static BackupTargetFormModel From(BackupTarget t)
    {
        var model = new BackupTargetFormModel
        {
            Name = t.Name,
            Method = t.Method,
            Stanza = t.Stanza,
            PgBackRestConfig = t.PgBackRestConfig,
            Destination = t.Destination,
            Schedule = t.Schedule,
            DrillSchedule = t.DrillSchedule,
            KeepDaily = t.KeepDaily,
            KeepWeekly = t.KeepWeekly,
            KeepMonthly = t.KeepMonthly,
            BackupMaxAgeHours = t.BackupMaxAgeHours,
            DrillMaxAgeHours = t.DrillMaxAgeHours,
            RowCountTolerancePercent = t.Checks.RowCountTolerancePercent,
        };
        model.Freshness.AddRange(t.Checks.Freshness.Select(f => new FreshnessRow { Table = f.Table, Column = f.Column, MaxAgeHours = f.MaxAgeHours }));
        model.Assertions.AddRange(t.Checks.Assertions.Select(a => new AssertionRow { Name = a.Name, Sql = a.Sql }));
        return model;
    }

    public BackupTargetInput ToInput() => new(
        Name,
        string.IsNullOrWhiteSpace(ConnectionString) ? null : ConnectionString,
        string.IsNullOrWhiteSpace(Destination) ? null : Destination.Trim(),
        Schedule,
        DrillSchedule,
        KeepDaily,
        KeepWeekly,
        KeepMonthly,
        BackupMaxAgeHours,
        DrillMaxAgeHours,
        new BackupChecks
        {
            RowCountTolerancePercent = RowCountTolerancePercent,
            Freshness = [.. Freshness.Select(f => new FreshnessCheck(f.Table.Trim(), f.Column.Trim(), f.MaxAgeHours))],
            Assertions = [.. Assertions.Select(a => new SqlAssertion(a.Name.Trim(), a.Sql))],
        },
        Method,
        IsPgBackRest && !string.IsNullOrWhiteSpace(Stanza) ? Stanza.Trim() : null,
        IsPgBackRest && !string.IsNullOrWhiteSpace(PgBackRestConfig) ? PgBackRestConfig.Trim() : null);

    public sealed class FreshnessRow
    {
        public string Table { get; set; } = "";
        public string Column { get; set; } = "";
        public int MaxAgeHours { get; set; } = 24;
    }

    public sealed class AssertionRow
    {
        public string Name { get; set; } = "";
        public string Sql { get; set; } = "";
    }
}
