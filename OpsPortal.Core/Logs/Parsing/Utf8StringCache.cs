using System.Numerics;
using System.Text;

namespace OpsPortal.Core.Logs.Parsing;

/// <summary>
/// A direct-mapped cache from UTF-8 bytes to strings, for values that repeat across lines (user
/// agents, referrers, hosts). A hit costs a hash and a vectorised compare instead of a new string.
/// Each slot holds one immutable string, so concurrent parsers can share it without locks: a
/// race only costs a miss.
/// </summary>
internal sealed class Utf8StringCache
{
    private readonly string?[] _slots;
    private readonly int _maxLength;

    public Utf8StringCache(int slots, int maxLength)
    {
        _slots = new string?[BitOperations.RoundUpToPowerOf2((uint)slots)];
        _maxLength = maxLength;
    }

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > _maxLength)
        {
            return StorableText.FromUtf8(utf8);
        }

        ref var slot = ref _slots[Utf8Hash.Of(utf8) & (uint)(_slots.Length - 1)];
        var cached = slot;

        // Ascii.Equals is false for any non-ASCII byte, so such values simply never hit.
        if (cached is not null && Ascii.Equals(utf8, cached))
        {
            return cached;
        }

        var value = StorableText.FromUtf8(utf8);
        slot = value;
        return value;
    }
}
