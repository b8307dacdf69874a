using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Analytics.Pipeline.Hits;

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
            Add(name, type, plain.ToArray());
        }
        Add(DimensionsName, "application/json; charset=utf-8", DimensionsJson());
    }

    /// <summary>The dashboard's list of dimensions, from their declaration (<see cref="HitFields"/>): the panels are built from it.</summary>
    public const string DimensionsName = "dimensions.json";

    private void Add(string name, string type, byte[] bytes) =>
        _assets[name] = new Asset(type, bytes, Compress(bytes, s => new GZipStream(s, CompressionLevel.SmallestSize)),
            Compress(bytes, s => new BrotliStream(s, CompressionLevel.SmallestSize)), "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"");

    /// <summary>[{"name", "label", "panel", "panel_title"}, ...] for every dimension the dashboard shows, in declaration order.</summary>
    internal static byte[] DimensionsJson()
    {
        using var output = new MemoryStream();
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartArray();
            foreach (var dimension in HitFields.All.Select(f => f.Dimension).OfType<FieldDimension>().Where(d => d.Panel is not null))
            {
                json.WriteStartObject();
                json.WriteString("name", dimension.Name);
                json.WriteString("label", dimension.Label);
                json.WriteString("panel", dimension.Panel);
                json.WriteString("panel_title", dimension.PanelTitle);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return output.ToArray();
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
