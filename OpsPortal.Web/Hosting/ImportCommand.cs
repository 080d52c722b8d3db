using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using OpsPortal.Core.Logs;
using OpsPortal.Core.Logs.Ingest;
using OpsPortal.Core.Logs.Parsing;
using OpsPortal.Core.Logs.Sources;

namespace OpsPortal.Web.Hosting;

/// <summary>
/// <c>import --format combined --host web1 FILE… </c> (or <c>-</c> for stdin): backfills access
/// logs with a progress bar and a summary. Gzipped files (<c>.gz</c>) are read directly.
/// </summary>
internal static class ImportCommand
{
    public const string Usage = "import [--format PRESET | --source NAME] [--host LABEL] FILE… (- for stdin, .gz ok)";

    public static async Task<int> RunAsync(IServiceProvider sp, string[] args)
    {
        string? format = null, host = null, sourceName = null;
        var files = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--format" when i + 1 < args.Length: format = args[++i]; break;
                case "--host" when i + 1 < args.Length: host = args[++i]; break;
                case "--source" when i + 1 < args.Length: sourceName = args[++i]; break;
                case var a when a.StartsWith("--", StringComparison.Ordinal): return Fail($"Unknown option {a}. Usage: {Usage}");
                default: files.Add(args[i]); break;
            }
        }
        if (files.Count == 0)
        {
            return Fail($"Name at least one file, or - for stdin. Usage: {Usage}");
        }

        var sources = sp.GetRequiredService<LogSourceService>();
        LogSource source;
        if (sourceName is not null)
        {
            if (await sources.FindAsync(sourceName) is not { } found)
            {
                return Fail($"No log source named '{sourceName}'.");
            }
            source = found;
        }
        else
        {
            format ??= "combined";
            if (!LogFormat.PresetNames.Contains(format))
            {
                return Fail($"Unknown format '{format}'. Presets: {string.Join(", ", LogFormat.PresetNames)}; for a custom log_format, define a source and pass --source.");
            }
            source = await sources.GetOrCreateImportSourceAsync(format, host);
        }

        if (files.FirstOrDefault(f => f != "-" && !File.Exists(f)) is { } missing)
        {
            return Fail($"No such file: {missing}");
        }
        var options = sp.GetRequiredService<IOptions<LogsOptions>>().Value;
        var ingestor = sp.GetRequiredService<LogIngestor>();
        var context = sources.ContextFor(source);
        var clock = Stopwatch.StartNew();
        long accepted = 0, rejected = 0;
        DateTime? oldest = null;
        foreach (var file in files)
        {
            await using var raw = file == "-" ? Console.OpenStandardInput() : File.OpenRead(file);
            await using var input = file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
                ? new System.IO.Compression.GZipStream(raw, System.IO.Compression.CompressionMode.Decompress)
                : raw;
            var total = file == "-" || input != raw ? (long?)null : raw.Length;
            var bar = new ProgressBar(file == "-" ? "stdin" : Path.GetFileName(file), total);
            var result = await ingestor.IngestAsync(context, input, bar, CancellationToken.None);
            bar.Done(result);
            accepted += result.Accepted;
            rejected += result.Rejected;
            oldest = result.Oldest < oldest || oldest is null ? result.Oldest : oldest;
        }

        var seconds = Math.Max(clock.Elapsed.TotalSeconds, 0.001);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Imported {accepted:N0} rows, {rejected:N0} rejected, into source '{source.Name}' in {seconds:F1} s ({(accepted + rejected) / seconds:N0} lines/s)."));
        if (rejected > 0)
        {
            Console.WriteLine("Rejected lines and their reasons are on the Sources page (kept " + options.RejectRetentionDays + " days).");
        }
        var keptFrom = DateTime.UtcNow.Date.AddDays(-options.RetentionDays + 1);
        if (oldest < keptFrom)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Note: lines from {oldest:yyyy-MM-dd} are older than the retention ({options.RetentionDays} days): the hourly maintenance job will drop days before {keptFrom:yyyy-MM-dd}. Raise OpsPortal__Logs__RetentionDays to keep them."));
        }
        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }

    /// <summary>A one-line progress bar on stderr, redrawn at most 5 times a second.</summary>
    private sealed class ProgressBar(string label, long? totalBytes) : IProgress<IngestResult>
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly bool _interactive = !Console.IsErrorRedirected;
        private TimeSpan? _lastDraw;

        public void Report(IngestResult value)
        {
            if (_lastDraw is { } last && _clock.Elapsed - last < TimeSpan.FromMilliseconds(200))
            {
                return;
            }
            _lastDraw = _clock.Elapsed;
            Draw(value, final: false);
        }

        public void Done(IngestResult value) => Draw(value, final: true);

        private void Draw(IngestResult value, bool final)
        {
            if (!_interactive && !final)
            {
                return;
            }
            var lines = value.Accepted + value.Rejected;
            var rate = lines / Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
            var bar = totalBytes is > 0
                ? Bar(Math.Min(1.0, value.Bytes / (double)totalBytes.Value))
                : "";
            Console.Error.Write(string.Create(CultureInfo.InvariantCulture,
                $"\r{label}: {bar}{lines:N0} lines ({value.Rejected:N0} rejected), {rate:N0} lines/s   "));
            if (final)
            {
                Console.Error.WriteLine();
            }
        }

        private static string Bar(double fraction)
        {
            const int width = 30;
            var filled = (int)Math.Round(fraction * width);
            return string.Create(CultureInfo.InvariantCulture, $"[{new string('#', filled)}{new string('.', width - filled)}] {fraction:P0} ");
        }
    }
}
