using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using OpsPortal.Core.Auth;
using OpsPortal.Core.Data;
using OpsPortal.Core.Events;
using OpsPortal.Core.Logs.Ingest;
using OpsPortal.Core.Logs.Parsing;

namespace OpsPortal.Core.Logs.Sources;

public sealed record SourceInput(string Name, LogSourceKind Kind, string Format, string? HostLabel, string? Path, string? SyslogTag, bool Enabled);

/// <summary>Log sources: validation, CRUD (Admins), and compiled parsers for the pipelines.</summary>
public sealed class LogSourceService(IDbContextFactory<OpsDbContext> dbFactory, NpgsqlDataSource dataSource, EventLog events, TimeProvider clock,
    IOptions<LogsOptions> options)
{
    private readonly ConcurrentDictionary<string, LogParser> _parsers = new(StringComparer.Ordinal);

    /// <summary>The parser for a preset name or a format string; compiled once per process.</summary>
    internal LogParser ParserFor(string format) => _parsers.GetOrAdd(format, f =>
    {
        var parserOptions = new LogParserOptions { MaxLineLength = options.Value.MaxLineLength };
        return LogFormat.TryGetPreset(f, out var preset) ? LogFormat.Compile(preset, parserOptions) : LogFormat.Compile(f, parserOptions);
    });

    public SourceContext ContextFor(LogSource source) => new(source.Id, source.Name, ParserFor(source.Format), source.HostLabel);

    /// <summary>Checks a source definition; returns a message for the person, or null when it is fine.</summary>
    public string? Validate(SourceInput input)
    {
        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Length > 100)
        {
            return "A source needs a name of 1 to 100 characters.";
        }
        try
        {
            ParserFor(input.Format.Trim());
        }
        catch (LogFormatException ex)
        {
            return "Format: " + ex.Message;
        }
        return input.Kind switch
        {
            LogSourceKind.File when string.IsNullOrWhiteSpace(input.Path) || !System.IO.Path.IsPathFullyQualified(input.Path) =>
                "A file source needs an absolute path.",
            LogSourceKind.File => AllowedDirectories.Parse(options.Value.AllowedPaths)?.Refuse(input.Path.Trim()),
            LogSourceKind.Syslog when string.IsNullOrWhiteSpace(input.SyslogTag) =>
                "A syslog source needs the tag nginx sends (access_log syslog:server=…,tag=TAG).",
            _ => null,
        };
    }

    internal async Task<List<LogSource>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.LogSources.AsNoTracking().OrderBy(s => s.Name).ToListAsync(ct);
    }

    public async Task<LogSource?> FindAsync(string name, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.LogSources.AsNoTracking().SingleOrDefaultAsync(s => s.Name == name, ct);
    }

    public async Task<Result<LogSource>> SaveAsync(Actor actor, int? id, SourceInput input, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(input);
        if (Validate(input) is { } error)
        {
            return Refusal.Invalid(error, "Invalid log source");
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.LogSources.AnyAsync(s => s.Name == input.Name.Trim() && s.Id != id, ct))
        {
            return Refusal.Conflict($"A source named '{input.Name.Trim()}' exists already.", "Name taken");
        }
        var source = id is null
            ? db.LogSources.Add(new LogSource { Name = "", Format = "", CreatedAt = clock.GetUtcNow() }).Entity
            : await db.LogSources.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (source is null)
        {
            return Refusal.NotFound("No such source.", "No such log source");
        }
        source.Name = input.Name.Trim();
        source.Kind = input.Kind;
        source.Format = input.Format.Trim();
        source.HostLabel = string.IsNullOrWhiteSpace(input.HostLabel) ? null : input.HostLabel.Trim();
        source.Path = input.Kind == LogSourceKind.File ? input.Path?.Trim() : null;
        source.SyslogTag = input.Kind == LogSourceKind.Syslog ? input.SyslogTag?.Trim() : null;
        source.Enabled = input.Enabled;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        events.Append(db, actor.Name, id is null ? LogsEventKinds.SourceCreated : LogsEventKinds.SourceChanged, LogsEventKinds.SourceSubject,
            source.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"{actor.Name} {(id is null ? "added" : "changed")} log source {source.Name} ({source.Kind.ToString().ToLowerInvariant()})");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return source;
    }

    public async Task<Result> DeleteAsync(Actor actor, int id, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var source = await db.LogSources.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (source is null)
        {
            return Refusal.NotFound("The source was removed already.", "No such log source");
        }
        db.LogSources.Remove(source);
        events.Append(db, actor.Name, LogsEventKinds.SourceDeleted, LogsEventKinds.SourceSubject, id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"{actor.Name} removed log source {source.Name}");
        await db.SaveChangesAsync(ct);
        return Result.Ok;
    }

    /// <summary>
    /// The source a <c>POST /api/logs</c> writes to: the one named by <c>?source=</c>, which must be an
    /// enabled HTTP source (file, syslog and import sources are fed by their own readers only: lines
    /// posted into them would mix with the lines they read, issue 13.11); otherwise the implicit HTTP
    /// source of the preset and host.
    /// </summary>
    public async Task<Result<LogSource>> ForPostAsync(string? format, string? host, string? sourceName, CancellationToken ct = default)
    {
        if (!string.IsNullOrWhiteSpace(sourceName))
        {
            var named = await FindAsync(sourceName.Trim(), ct);
            if (named is not { Enabled: true })
            {
                return Refusal.Invalid($"No enabled log source named '{sourceName}'.", "Unknown log source");
            }
            return named.Kind == LogSourceKind.Http
                ? named
                : Refusal.Conflict($"'{named.Name}' is a {named.Kind.ToString().ToLowerInvariant()} source: only HTTP sources take posted lines. " +
                    "Post without ?source= (an HTTP source per format and host is made on first use), or ask an Admin for an HTTP source.",
                    "Not an HTTP source");
        }
        var preset = string.IsNullOrWhiteSpace(format) ? "combined" : format.Trim();
        if (!LogFormat.PresetNames.Contains(preset))
        {
            return Refusal.Invalid($"Unknown format '{preset}'. Use one of {string.Join(", ", LogFormat.PresetNames)}, " +
                "or define an HTTP source with a custom log_format on the Sources page and pass ?source=NAME.", "Unknown log format");
        }
        return await GetOrCreateHttpSourceAsync(preset, host, ct);
    }

    /// <summary>
    /// The source that <c>POST /api/logs?format=…&amp;host=…</c> writes to when no source is named:
    /// one per preset and host, made on first use, so its counts show on the Sources page.
    /// </summary>
    internal Task<LogSource> GetOrCreateHttpSourceAsync(string preset, string? host, CancellationToken ct = default) =>
        GetOrCreateImplicitSourceAsync(LogSourceKind.Http, preset, host, ct);

    /// <summary>As for HTTP, one source per preset and host for lines loaded by the <c>import</c> command.</summary>
    public Task<LogSource> GetOrCreateImportSourceAsync(string preset, string? host, CancellationToken ct = default) =>
        GetOrCreateImplicitSourceAsync(LogSourceKind.Import, preset, host, ct);

    /// <summary>
    /// One statement on the data source rather than EF: the <c>import</c> command's only EF use was this
    /// lookup, and building the model cost it about a CPU-second of start-up (issue 14.8, bench/RESULTS.md).
    /// </summary>
    private async Task<LogSource> GetOrCreateImplicitSourceAsync(LogSourceKind kind, string preset, string? host, CancellationToken ct)
    {
        var name = $"{kind.ToString().ToLowerInvariant()}/{preset}/{(string.IsNullOrWhiteSpace(host) ? "-" : host.Trim())}";
        // A source made by a concurrent request after this statement's snapshot is seen by the second try.
        for (var attempt = 0; ; attempt++)
        {
            await using var cmd = dataSource.CreateCommand("""
                WITH found AS (
                    SELECT id, name, kind, format, host_label, enabled, is_demo, created_at FROM log_sources WHERE name = $1),
                made AS (
                    -- Only when not found: an insert that conflicts would still use up an identity value.
                    INSERT INTO log_sources (name, kind, format, host_label, enabled, is_demo, created_at, accepted_total, rejected_total)
                    SELECT $1, $2, $3, $4, true, false, $5, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM found)
                    ON CONFLICT (name) DO NOTHING
                    RETURNING id, name, kind, format, host_label, enabled, is_demo, created_at)
                SELECT * FROM found
                UNION ALL
                SELECT * FROM made
                """);
            cmd.Parameters.Add(new NpgsqlParameter { Value = name });
            cmd.Parameters.Add(new NpgsqlParameter { Value = kind.ToString() });
            cmd.Parameters.Add(new NpgsqlParameter { Value = preset });
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)host?.Trim() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar });
            cmd.Parameters.Add(new NpgsqlParameter { Value = clock.GetUtcNow() });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                return new LogSource
                {
                    Id = reader.GetInt32(0),
                    Name = reader.GetString(1),
                    Kind = Enum.Parse<LogSourceKind>(reader.GetString(2)),
                    Format = reader.GetString(3),
                    HostLabel = reader.IsDBNull(4) ? null : reader.GetString(4),
                    Enabled = reader.GetBoolean(5),
                    IsDemo = reader.GetBoolean(6),
                    CreatedAt = reader.GetFieldValue<DateTimeOffset>(7),
                };
            }
            if (attempt > 0)
            {
                throw new InvalidOperationException($"The log source '{name}' was neither made nor found.");
            }
        }
    }

    public async Task<List<LogReject>> RecentRejectsAsync(int sourceId, int limit, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.LogRejects.AsNoTracking().Where(r => r.SourceId == sourceId)
            .OrderByDescending(r => r.Id).Take(limit).ToListAsync(ct);
    }

    internal async Task RecordErrorAsync(int sourceId, string error, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var now = clock.GetUtcNow();
        await db.LogSources.Where(s => s.Id == sourceId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastError, error.Length > 2000 ? error[..2000] : error)
                .SetProperty(x => x.LastErrorAt, now), ct);
    }
}
