using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Analytics.Collector.Pipeline;

/// <summary>
/// The client's address: the socket's peer, unless that peer is a configured trusted proxy; then the
/// nearest address in Forwarded (RFC 7239) or X-Forwarded-For that is not itself a trusted proxy.
/// Headers from anyone else are ignored, since any client can write them.
/// </summary>
public sealed class ClientAddress
{
    private readonly IPNetwork[] _trusted;

    public ClientAddress(IEnumerable<string> trustedProxies)
    {
        _trusted = [.. trustedProxies.Select(ParseNetwork)];
    }

    /// <summary>Parses "10.0.0.0/8" or a bare address; throws <see cref="FormatException"/> naming the value.</summary>
    public static IPNetwork ParseNetwork(string value)
    {
        if (IPNetwork.TryParse(value, out var network))
        {
            return network;
        }
        if (IPAddress.TryParse(value, out var address))
        {
            return new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
        }
        throw new FormatException($"'{value}' is not an IP address or CIDR network");
    }

    public IPAddress? Resolve(HttpContext http)
    {
        var peer = Normalize(http.Connection.RemoteIpAddress);
        if (peer is null || _trusted.Length == 0 || !IsTrusted(peer))
        {
            return peer;
        }
        var headers = http.Request.Headers;
        var forwarded = headers["Forwarded"];
        return forwarded.Count > 0 ? FromChain(forwarded, ForwardedFor) ?? peer : FromChain(headers["X-Forwarded-For"], s => s) ?? peer;
    }

    /// <summary>Walks the hops from the nearest (last) to the farthest and returns the first untrusted one.</summary>
    private IPAddress? FromChain(StringValues values, Func<string, string?> address)
    {
        var hops = values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToArray();
        for (var i = hops.Length - 1; i >= 0; i--)
        {
            var parsed = Normalize(ParseHop(address(hops[i])));
            if (parsed is null)
            {
                // "unknown", an obfuscated identifier or garbage: the chain cannot be followed further.
                return null;
            }
            if (!IsTrusted(parsed))
            {
                return parsed;
            }
        }
        return null;
    }

    /// <summary>The for= value of one Forwarded element ("for=192.0.2.60;proto=http;by=203.0.113.43").</summary>
    private static string? ForwardedFor(string element)
    {
        foreach (var pair in element.Split(';', StringSplitOptions.TrimEntries))
        {
            if (pair.StartsWith("for=", StringComparison.OrdinalIgnoreCase))
            {
                return pair[4..].Trim('"');
            }
        }
        return null;
    }

    /// <summary>Accepts "1.2.3.4", "1.2.3.4:5678", "2001:db8::1" and "[2001:db8::1]:4711".</summary>
    private static IPAddress? ParseHop(string? hop)
    {
        if (string.IsNullOrEmpty(hop))
        {
            return null;
        }
        if (hop[0] == '[')
        {
            var close = hop.IndexOf(']', StringComparison.Ordinal);
            return close > 1 && IPAddress.TryParse(hop.AsSpan(1, close - 1), out var v6) ? v6 : null;
        }
        if (IPAddress.TryParse(hop, out var address))
        {
            return address;
        }
        var colon = hop.LastIndexOf(':');
        return colon > 0 && hop.IndexOf(':', StringComparison.Ordinal) == colon && IPAddress.TryParse(hop.AsSpan(0, colon), out var v4) ? v4 : null;
    }

    private bool IsTrusted(IPAddress address)
    {
        foreach (var network in _trusted)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }
        return false;
    }

    private static IPAddress? Normalize(IPAddress? address) =>
        address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
}
