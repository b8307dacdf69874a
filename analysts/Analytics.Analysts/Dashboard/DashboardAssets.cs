using System.IO.Compression;
using System.Security.Cryptography;

namespace Analytics.Analysts.Dashboard;

/// <summary>
/// The dashboard's files, embedded in this assembly at build time, each kept in memory as is, gzip and
/// Brotli, so serving one is a lookup.
/// </summary>
public sealed class DashboardAssets
{
    private readonly Dictionary<string, Asset> _assets = new(StringComparer.Ordinal);

    public DashboardAssets()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        foreach (var (name, type) in new[] { ("index.html", "text/html; charset=utf-8"), ("app.js", "text/javascript; charset=utf-8"), ("app.css", "text/css; charset=utf-8") })
        {
            using var stream = assembly.GetManifestResourceStream("Dashboard/" + name)
                ?? throw new InvalidOperationException($"The dashboard asset {name} was not embedded (the build runs npm in analysts/dashboard).");
            using var plain = new MemoryStream();
            stream.CopyTo(plain);
            var bytes = plain.ToArray();
            _assets[name] = new Asset(type, bytes, Compress(bytes, s => new GZipStream(s, CompressionLevel.SmallestSize)),
                Compress(bytes, s => new BrotliStream(s, CompressionLevel.SmallestSize)), "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"");
        }
    }

    public bool TryGet(string name, out Asset asset) => _assets.TryGetValue(name, out asset!);

    private static byte[] Compress(byte[] bytes, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var compressing = compressor(output))
        {
            compressing.Write(bytes);
        }
        return output.ToArray();
    }
}

/// <summary>One file in its three encodings and its entity tag.</summary>
public sealed record Asset(string ContentType, byte[] Plain, byte[] Gzip, byte[] Brotli, string ETag);
