using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OpsPortal.Core.Logs.Parsing;

/// <summary>A fast non-cryptographic hash of UTF-8 bytes, for the caches' slot choice only.</summary>
internal static class Utf8Hash
{
    private const ulong Multiplier = 0x9E3779B97F4A7C15;

    public static uint Of(ReadOnlySpan<byte> s)
    {
        ref var start = ref MemoryMarshal.GetReference(s);
        var length = s.Length;
        ulong a = (ulong)length * Multiplier, b = 0x243F6A8885A308D3, c = 0x13198A2E03707344, d = 0xA4093822299F31D0;
        var i = 0;

        // Four independent lanes, so long user agents are not bound by one chain of multiplies.
        for (; i + 32 <= length; i += 32)
        {
            a = Mix(a, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i)));
            b = Mix(b, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i + 8)));
            c = Mix(c, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i + 16)));
            d = Mix(d, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i + 24)));
        }

        for (; i + 8 <= length; i += 8)
        {
            a = Mix(a, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i)));
        }

        if (i < length)
        {
            b = Mix(b, Tail(s, ref start, i));
        }

        var h = Mix(a ^ BitOperations.RotateLeft(b, 17), c ^ BitOperations.RotateLeft(d, 41));
        return (uint)(h >> 32) ^ (uint)h;
    }

    /// <summary>The bytes from <paramref name="i"/> on (fewer than 8), read with as few loads as the length allows.</summary>
    private static ulong Tail(ReadOnlySpan<byte> s, ref byte start, int i)
    {
        var length = s.Length;
        if (length >= 8)
        {
            // Overlaps bytes already mixed in; harmless for a hash and one load instead of up to seven.
            return Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, length - 8));
        }

        if (length >= 4)
        {
            return ((ulong)Unsafe.ReadUnaligned<uint>(ref start) << 32)
                | Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref start, length - 4));
        }

        ulong tail = 0;
        for (var j = length - 1; j >= i; j--)
        {
            tail = (tail << 8) | s[j];
        }

        return tail;
    }

    private static ulong Mix(ulong h, ulong v) => (BitOperations.RotateLeft(h, 23) ^ v) * Multiplier;
}
