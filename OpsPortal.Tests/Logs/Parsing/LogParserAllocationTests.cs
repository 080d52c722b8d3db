using System.Text;
using OpsPortal.Core.Logs.Parsing;

namespace OpsPortal.Tests.Logs.Parsing;

/// <summary>
/// Issue 3 allows no allocation per line beyond the values kept. Once a line's values are in the
/// parser's caches, parsing it again must allocate nothing at all: no intermediate strings,
/// splits or boxes.
/// </summary>
public class LogParserAllocationTests
{
    [Theory]
    [InlineData("combined", LogLines.Combined)]
    [InlineData("vhost_combined", LogLines.VhostCombined)]
    [InlineData("opsportal", LogLines.OpsPortal)]
    public void TryParse_RepeatedLine_AllocatesNothing(string preset, string line)
    {
        var parser = LogFormat.Preset(preset);
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        var record = new AccessRecord();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(parser.TryParse(bytes, record, out var reason), reason);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            parser.TryParse(bytes, record, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
