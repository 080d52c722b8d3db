using System.Net;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace OpsPortal.Core.Logs;

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
            return Encoding.UTF8.GetString(utf8);
        }

        ref var slot = ref _slots[Hash(utf8) & (uint)(_slots.Length - 1)];
        var cached = slot;

        // Ascii.Equals is false for any non-ASCII byte, so such values simply never hit.
        if (cached is not null && System.Text.Ascii.Equals(utf8, cached))
        {
            return cached;
        }

        var value = Encoding.UTF8.GetString(utf8);
        slot = value;
        return value;
    }

    private static uint Hash(ReadOnlySpan<byte> s)
    {
        const ulong Multiplier = 0x9E3779B97F4A7C15;
        var h = (ulong)s.Length * Multiplier;
        ref var start = ref MemoryMarshal.GetReference(s);
        var i = 0;
        for (; i + 8 <= s.Length; i += 8)
        {
            h = (BitOperations.RotateLeft(h, 23) ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i))) * Multiplier;
        }

        if (i < s.Length)
        {
            ulong tail = 0;
            for (var j = s.Length - 1; j >= i; j--)
            {
                tail = (tail << 8) | s[j];
            }

            h = (BitOperations.RotateLeft(h, 23) ^ tail) * Multiplier;
        }

        return (uint)(h >> 32) ^ (uint)h;
    }
}

/// <summary>Shares one <see cref="IPAddress"/> per recently seen IPv4 client; same locking-free design as <see cref="Utf8StringCache"/>.</summary>
internal sealed class IPv4AddressCache
{
    private sealed record Entry(uint Key, IPAddress Address);

    private readonly Entry?[] _slots;
    private readonly int _shift;

    public IPv4AddressCache(int slots)
    {
        var size = BitOperations.RoundUpToPowerOf2((uint)slots);
        _slots = new Entry?[size];
        _shift = 32 - BitOperations.Log2(size);
    }

    public IPAddress Get(uint address)
    {
        ref var slot = ref _slots[(address * 0x9E3779B1u) >> _shift];
        var cached = slot;
        if (cached is not null && cached.Key == address)
        {
            return cached.Address;
        }

        var ip = new IPAddress(address);
        slot = new Entry(address, ip);
        return ip;
    }
}
