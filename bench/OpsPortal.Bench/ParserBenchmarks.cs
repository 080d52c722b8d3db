using System.Text;
using BenchmarkDotNet.Attributes;
using OpsPortal.Core.Logs.Parsing;

namespace OpsPortal.Bench;

/// <summary>
/// The parser alone, over a batch of generated lines held in one buffer as a file reader would
/// hand them over. One operation is one line, so Mean is ns/line and Allocated is bytes/line.
/// </summary>
[MemoryDiagnoser]
public class ParserBenchmarks
{
    private const int LinesPerBatch = 20_000;

    private readonly AccessRecord _record = new();
    private Batch _combined = null!;
    private Batch _opsPortal = null!;
    private Batch _realApache = null!;
    private LogParser _combinedParser = null!;
    private LogParser _opsPortalParser = null!;

    [GlobalSetup]
    public void Setup()
    {
        var generator = new LogLineGenerator(seed: 42);
        _combined = Batch.Of(Enumerable.Range(0, LinesPerBatch).Select(_ => generator.Combined()));
        _opsPortal = Batch.Of(Enumerable.Range(0, LinesPerBatch).Select(_ => generator.OpsPortal()));
        _realApache = Batch.Of(File.ReadLines(FindFixture()));
        _combinedParser = LogFormat.Preset("combined");
        _opsPortalParser = LogFormat.Preset("opsportal");

        // A benchmark of a parser that rejects its own input would measure the wrong path.
        _combined.AssertAllParse(_combinedParser, _record);
        _opsPortal.AssertAllParse(_opsPortalParser, _record);
    }

    [Benchmark(OperationsPerInvoke = LinesPerBatch)]
    public int Combined() => _combined.Parse(_combinedParser, _record);

    [Benchmark(OperationsPerInvoke = LinesPerBatch)]
    public int OpsPortal() => _opsPortal.Parse(_opsPortalParser, _record);

    /// <summary>The real Apache fixture (10,000 lines, one of them rejected), as a check on the generated mix.</summary>
    [Benchmark(OperationsPerInvoke = RealApacheLines)]
    public int CombinedRealApacheLog() => _realApache.Parse(_combinedParser, _record);

    private const int RealApacheLines = 10_000;

    // BenchmarkDotNet runs from a generated project deep under bin/, so look upwards for the repository.
    private static string FindFixture()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "OpsPortal.Tests", "Fixtures", "apache_combined_elastic.log");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("OpsPortal.Tests/Fixtures/apache_combined_elastic.log not found above " + AppContext.BaseDirectory);
    }

    private sealed class Batch(byte[] text, int[] lineStarts)
    {
        public static Batch Of(IEnumerable<string> lines)
        {
            var joined = string.Concat(lines.Select(l => l + "\n"));
            var text = Encoding.UTF8.GetBytes(joined);
            var starts = new List<int> { 0 };
            for (var i = 0; i < text.Length - 1; i++)
            {
                if (text[i] == '\n')
                {
                    starts.Add(i + 1);
                }
            }

            starts.Add(text.Length);
            return new Batch(text, [.. starts]);
        }

        public int Parse(LogParser parser, AccessRecord record)
        {
            var parsed = 0;
            for (var i = 0; i < lineStarts.Length - 1; i++)
            {
                var line = text.AsSpan(lineStarts[i], lineStarts[i + 1] - lineStarts[i]);
                if (parser.TryParse(line, record, out _))
                {
                    parsed++;
                }
            }

            return parsed;
        }

        public void AssertAllParse(LogParser parser, AccessRecord record)
        {
            var parsed = Parse(parser, record);
            if (parsed != lineStarts.Length - 1)
            {
                throw new InvalidOperationException($"Only {parsed} of {lineStarts.Length - 1} generated lines parse with {parser.Format}.");
            }
        }
    }
}
