using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Analytics.Pipeline.Hits;

namespace Analytics.Pipeline.Storage;

/// <summary>Encodes hits as ClickHouse JSONEachRow rows for the hits table.</summary>
public static class HitRowsEncoder
{
    public const string Format = "JSONEachRow";

    private const string TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff";

    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    private static readonly RetentionOptions Defaults = new();

    public static void Encode(IReadOnlyList<Hit> hits, IBufferWriter<byte> output) => Encode(hits, output, Defaults);

    /// <summary>Encodes <paramref name="hits"/>, each with its site's raw retention from <paramref name="retention"/>.</summary>
    public static void Encode(IReadOnlyList<Hit> hits, IBufferWriter<byte> output, RetentionOptions retention)
    {
        using var json = new Utf8JsonWriter(output, WriterOptions);
        foreach (var hit in hits)
        {
            WriteRow(json, hit, retention.RawDaysFor(hit.SiteId, hit.Timestamp));
            json.Flush();
            output.Write("\n"u8);
            json.Reset();
        }
    }

    /// <summary>Writes a DateTime64(3) value as ClickHouse parses it from JSON.</summary>
    internal static void WriteTimestamp(Utf8JsonWriter json, ReadOnlySpan<byte> name, DateTime value)
    {
        Span<byte> timestamp = stackalloc byte[TimestampFormat.Length];
        value.TryFormat(timestamp, out var written, TimestampFormat, CultureInfo.InvariantCulture);
        json.WriteString(name, timestamp[..written]);
    }

    private static void WriteRow(Utf8JsonWriter json, Hit hit, ushort retentionDays)
    {
        json.WriteStartObject();
        json.WriteString("site_id"u8, hit.SiteId);
        WriteTimestamp(json, "timestamp"u8, hit.Timestamp);
        json.WriteString("hit_id"u8, hit.HitId);
        json.WriteString("visitor_id"u8, hit.VisitorId);
        json.WriteBoolean("is_new_visitor"u8, hit.IsNewVisitor);
        json.WriteNumber("kind"u8, (byte)hit.Kind);
        json.WriteString("event_name"u8, hit.EventName);
        json.WriteString("hostname"u8, hit.Hostname);
        json.WriteString("path"u8, hit.Path);
        json.WriteString("title"u8, hit.Title);
        json.WriteString("referrer"u8, hit.Referrer);
        json.WriteString("source"u8, hit.Source);
        json.WriteString("channel"u8, hit.Channel);
        json.WriteString("utm_source"u8, hit.UtmSource);
        json.WriteString("utm_medium"u8, hit.UtmMedium);
        json.WriteString("utm_campaign"u8, hit.UtmCampaign);
        json.WriteString("utm_term"u8, hit.UtmTerm);
        json.WriteString("utm_content"u8, hit.UtmContent);
        json.WriteString("country"u8, hit.Country);
        json.WriteString("region"u8, hit.Region);
        json.WriteString("city"u8, hit.City);
        json.WriteString("browser"u8, hit.Browser);
        json.WriteString("browser_version"u8, hit.BrowserVersion);
        json.WriteString("os"u8, hit.Os);
        json.WriteString("os_version"u8, hit.OsVersion);
        json.WriteString("device_type"u8, hit.DeviceType);
        json.WriteNumber("screen_width"u8, hit.ScreenWidth);
        json.WriteBoolean("is_bot"u8, hit.IsBot);
        json.WriteString("link_campaign"u8, hit.LinkCampaign);
        json.WriteString("link_target"u8, hit.LinkTarget);
        json.WriteStartObject("props"u8);
        foreach (var (key, value) in hit.Props)
        {
            json.WriteString(key, value);
        }
        json.WriteEndObject();
        json.WriteNumber("retention_days"u8, retentionDays);
        json.WriteEndObject();
    }
}
