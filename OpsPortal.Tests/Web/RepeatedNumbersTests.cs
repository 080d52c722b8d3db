using System.Buffers;
using System.Text.Json;
using OpsPortal.Web.Common;

namespace OpsPortal.Tests.Web;

/// <summary>
/// <see cref="RepeatedNumbers"/> writes each number as <c>Utf8JsonWriter.WriteNumber</c> does, whether its
/// slot holds it, holds another value (a collision: thousands of values through 512 slots) or is empty.
/// </summary>
public sealed class RepeatedNumbersTests
{
    private static readonly JsonEncodedText Name = JsonEncodedText.Encode("v");

    [Fact]
    public void Write_SameBytesAsWriteNumber_RepeatsCollisionsAndEdgeValues()
    {
        var random = new Random(7);
        var values = new List<double> { 0, -0.0, 1, -1, 0.1, 1e-300, 5e-324, double.MaxValue, double.MinValue, 1e21, 123456789012345680, 0.30000000000000004 };
        var grid = Enumerable.Range(1100, 200).Select(k => Math.Pow(1.01 / 0.99, k) * 1e-9).ToArray();
        for (var i = 0; i < 20_000; i++)
        {
            values.Add(i % 3 == 0 ? grid[random.Next(grid.Length)] : i % 3 == 1 ? random.Next(0, 3000) / (double)random.Next(1, 3000) : (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-20, 20)));
        }

        var numbers = new RepeatedNumbers();
        var expected = Write(w => values.ForEach(v => w.WriteNumber(Name, v)));
        var actual = Write(w => values.ForEach(v => numbers.Write(w, Name, v)));

        Assert.Equal(System.Text.Encoding.UTF8.GetString(expected), System.Text.Encoding.UTF8.GetString(actual));
    }

    [Fact]
    public void Write_NotANumber_RefusedAsWriteNumberRefusesIt() =>
        Assert.Throws<ArgumentException>(() => Write(w => new RepeatedNumbers().Write(w, Name, double.NaN)));

    private static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
