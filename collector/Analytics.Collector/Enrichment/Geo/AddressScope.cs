using System.Buffers.Binary;
using System.Net;

namespace Analytics.Collector.Enrichment.Geo;

/// <summary>
/// Whether an address can be located: private, loopback, link-local, shared (CGNAT), documentation,
/// benchmarking, multicast and reserved ranges cannot (they say nothing about where a person is).
/// Checked on the address bytes, on every hit, without allocating.
/// </summary>
public static class AddressScope
{
    /// <summary>IPv4 ranges as (network, mask): 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.0.0/24, 192.0.2/24, 192.168/16, 198.18/15, 198.51.100/24, 203.0.113/24, 224/4 (multicast), 240/4 (reserved and broadcast).</summary>
    private static readonly (uint Network, uint Mask)[] UnroutableV4 =
    [
        (0x00000000, 0xFF000000), (0x0A000000, 0xFF000000), (0x64400000, 0xFFC00000), (0x7F000000, 0xFF000000),
        (0xA9FE0000, 0xFFFF0000), (0xAC100000, 0xFFF00000), (0xC0000000, 0xFFFFFF00), (0xC0000200, 0xFFFFFF00),
        (0xC0A80000, 0xFFFF0000), (0xC6120000, 0xFFFE0000), (0xC6336400, 0xFFFFFF00), (0xCB007100, 0xFFFFFF00),
        (0xE0000000, 0xF0000000), (0xF0000000, 0xF0000000),
    ];

    public static bool IsPublic(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var length))
        {
            return false;
        }
        if (length == 4)
        {
            return IsPublicV4(BinaryPrimitives.ReadUInt32BigEndian(bytes));
        }
        if (address.IsIPv4MappedToIPv6)
        {
            return IsPublicV4(BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]));
        }
        return IsPublicV6(bytes);
    }

    private static bool IsPublicV4(uint address)
    {
        foreach (var (network, mask) in UnroutableV4)
        {
            if ((address & mask) == network)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Not ::/128, ::1/128, 100::/64 (discard), 2001:db8::/32 (documentation), fc00::/7 (unique local), fe80::/10 (link-local), ff00::/8 (multicast).</summary>
    private static bool IsPublicV6(ReadOnlySpan<byte> b)
    {
        if (b[..15].IndexOfAnyExcept((byte)0) < 0 && b[15] <= 1)
        {
            return false;
        }
        if (b[0] == 0x01 && b[1..8].IndexOfAnyExcept((byte)0) < 0)
        {
            return false;
        }
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8)
        {
            return false;
        }
        return (b[0] & 0xFE) != 0xFC && !(b[0] == 0xFE && (b[1] & 0xC0) == 0x80) && b[0] != 0xFF;
    }
}
