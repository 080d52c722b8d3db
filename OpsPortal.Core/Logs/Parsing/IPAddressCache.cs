using System.Net;
using System.Numerics;

namespace OpsPortal.Core.Logs.Parsing;

/// <summary>
/// Shares one <see cref="IPAddress"/> per recently seen address, same lock-free design as
/// <see cref="Utf8StringCache"/>. IPv4 is parsed (cheaper than hashing its text) and cached by
/// value; IPv6 is cached by its text, since parsing it costs several times a lookup.
/// </summary>
internal sealed class IPAddressCache
{
    private const int MaxV6Length = 64;

    private sealed record V4Entry(uint Key, IPAddress Address);

    private sealed record V6Entry(byte[] Text, IPAddress Address);

    private readonly V4Entry?[] _v4;
    private readonly V6Entry?[] _v6;
    private readonly int _v4Shift;

    public IPAddressCache(int v4Slots, int v6Slots)
    {
        var v4Size = BitOperations.RoundUpToPowerOf2((uint)v4Slots);
        _v4 = new V4Entry?[v4Size];
        _v4Shift = 32 - BitOperations.Log2(v4Size);
        _v6 = new V6Entry?[BitOperations.RoundUpToPowerOf2((uint)v6Slots)];
    }

    /// <summary>The address, or null when the text is neither a dotted quad nor an IPv6 address.</summary>
    public IPAddress? Get(ReadOnlySpan<byte> text)
    {
        if (IpText.TryParseV4(text, out var v4))
        {
            ref var slot = ref _v4[(int)((ulong)(v4 * 0x9E3779B1u) >> _v4Shift)];
            var cached = slot;
            if (cached is not null && cached.Key == v4)
            {
                return cached.Address;
            }

            var address = new IPAddress(v4);
            slot = new V4Entry(v4, address);
            return address;
        }

        return text.Length <= MaxV6Length && text.Contains((byte)':') ? GetV6(text) : null;
    }

    private IPAddress? GetV6(ReadOnlySpan<byte> text)
    {
        ref var slot = ref _v6[Utf8Hash.Of(text) & (uint)(_v6.Length - 1)];
        var cached = slot;
        if (cached is not null && text.SequenceEqual(cached.Text))
        {
            return cached.Address;
        }

        var address = IpText.TryParseV6(text);
        if (address is not null)
        {
            slot = new V6Entry(text.ToArray(), address);
        }

        return address;
    }
}
