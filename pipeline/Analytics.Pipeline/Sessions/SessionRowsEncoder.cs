using System.Buffers;
using System.Text.Json;
using Analytics.Pipeline.Storage;

namespace Analytics.Pipeline.Sessions;

/// <summary>Encodes session rows as ClickHouse JSONEachRow rows for the sessions table.</summary>
public static class SessionRowsEncoder
{
    public const string Format = "JSONEachRow";

    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    public static void Encode(IReadOnlyList<SessionRow> rows, IBufferWriter<byte> output, RetentionOptions retention)
    {
        using var json = new Utf8JsonWriter(output, WriterOptions);
        foreach (var row in rows)
        {
            WriteRow(json, row, retention.RawDaysFor(row.Entry.SiteId, row.StartedAt));
            json.Flush();
            output.Write("\n"u8);
            json.Reset();
        }
    }

    private static void WriteRow(Utf8JsonWriter json, SessionRow row, ushort retentionDays)
    {
        var entry = row.Entry;
        json.WriteStartObject();
        json.WriteString("site_id"u8, entry.SiteId);
        json.WriteString("visitor_id"u8, entry.VisitorId);
        json.WriteString("session_id"u8, row.SessionId);
        json.WriteNumber("sign"u8, row.Sign);
        json.WriteNumber("version"u8, row.Version);
        HitRowsEncoder.WriteTimestamp(json, "started_at"u8, row.StartedAt);
        HitRowsEncoder.WriteTimestamp(json, "ended_at"u8, row.EndedAt);
        json.WriteNumber("duration"u8, row.Duration);
        json.WriteNumber("hits"u8, row.Hits);
        json.WriteNumber("pageviews"u8, row.Pageviews);
        json.WriteNumber("events"u8, row.Events);
        json.WriteNumber("link_clicks"u8, row.LinkClicks);
        json.WriteBoolean("is_bounce"u8, row.IsBounce);
        json.WriteBoolean("is_new_visitor"u8, entry.IsNewVisitor);
        json.WriteBoolean("is_bot"u8, entry.IsBot);
        json.WriteString("hostname"u8, entry.Hostname);
        json.WriteString("entry_page"u8, entry.Path);
        json.WriteString("exit_page"u8, row.ExitPage);
        json.WriteString("referrer"u8, entry.Referrer);
        json.WriteString("source"u8, entry.Source);
        json.WriteString("channel"u8, entry.Channel);
        json.WriteString("utm_source"u8, entry.UtmSource);
        json.WriteString("utm_medium"u8, entry.UtmMedium);
        json.WriteString("utm_campaign"u8, entry.UtmCampaign);
        json.WriteString("utm_term"u8, entry.UtmTerm);
        json.WriteString("utm_content"u8, entry.UtmContent);
        json.WriteString("link_campaign"u8, entry.LinkCampaign);
        json.WriteString("country"u8, entry.Country);
        json.WriteString("region"u8, entry.Region);
        json.WriteString("city"u8, entry.City);
        json.WriteString("browser"u8, entry.Browser);
        json.WriteString("browser_version"u8, entry.BrowserVersion);
        json.WriteString("os"u8, entry.Os);
        json.WriteString("os_version"u8, entry.OsVersion);
        json.WriteString("device_type"u8, entry.DeviceType);
        json.WriteNumber("screen_width"u8, entry.ScreenWidth);
        json.WriteNumber("retention_days"u8, retentionDays);
        json.WriteEndObject();
    }
}
