using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using Analytics.Collector.Pipeline;

namespace Analytics.Collector.Beacon;

/// <summary>
/// The JSON body of POST /e: one hit object, or an array of them. Fields as in the GIF's query string:
/// site, url, ref, t, w, e, l, and p (an object of string properties). Unknown fields are ignored.
/// </summary>
public static class EventBody
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 4 };

    /// <summary>Parses a body; null when it is not a hit or a batch of at most <paramref name="maxBatch"/> hits.</summary>
    public static List<BeaconParameters>? Parse(ReadOnlyMemory<byte> body, int maxBatch)
    {
        // JsonDocument checks UTF-8 only in what is read; the whole body must be valid text.
        if (!Utf8.IsValid(body.Span))
        {
            return null;
        }
        try
        {
            using var json = JsonDocument.Parse(body, Options);
            var root = json.RootElement;
            var hits = new List<BeaconParameters>();
            if (root.ValueKind == JsonValueKind.Object)
            {
                hits.Add(ReadOrUnreadable(root));
                return hits;
            }
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() is 0 || root.GetArrayLength() > maxBatch)
            {
                return null;
            }
            foreach (var item in root.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    return null;
                }
                hits.Add(ReadOrUnreadable(item));
            }
            return hits;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// One hit of the batch. A string escape that is not valid UTF-16 (a lone surrogate such as
    /// "\udc00") cannot become a string; that hit alone is marked unreadable, so the step that validates
    /// counts it (InvalidEncoding) and the rest of the batch is kept.
    /// </summary>
    private static BeaconParameters ReadOrUnreadable(JsonElement hit)
    {
        try
        {
            return Read(hit);
        }
        catch (InvalidOperationException)
        {
            return BeaconParameters.Unreadable;
        }
    }

    private static BeaconParameters Read(JsonElement hit) => new()
    {
        Site = Text(hit, "site"),
        Url = Text(hit, "url"),
        Referrer = Text(hit, "ref"),
        Title = Text(hit, "t"),
        EventName = Text(hit, "e"),
        ScreenWidth = Text(hit, "w"),
        LinkTarget = Text(hit, "l"),
        Props = Props(hit),
    };

    /// <summary>A string, or a number as its text; anything else counts as absent.</summary>
    private static string? Text(JsonElement hit, string name) =>
        !hit.TryGetProperty(name, out var value) ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) ? n.ToString(CultureInfo.InvariantCulture)
        : null;

    private static IReadOnlyDictionary<string, string> Props(JsonElement hit)
    {
        if (!hit.TryGetProperty("p", out var p) || p.ValueKind != JsonValueKind.Object)
        {
            return BeaconParameters.NoProps;
        }
        var props = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in p.EnumerateObject())
        {
            // Non-string values are kept as their JSON text (numbers, booleans), bounded like any value.
            props[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
        }
        return props;
    }
}
