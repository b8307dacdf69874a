using System.Buffers;
using Analytics.Pipeline.Hits;

namespace Analytics.Pipeline.Storage;

/// <summary>Encodes hits as ClickHouse RowBinary rows of the hits table, columns as in <see cref="Columns"/>.</summary>
public static class HitRowBinaryEncoder
{
    public const string Format = "RowBinary";

    /// <summary>The columns written, in order, for INSERT INTO hits (...).</summary>
    public const string Columns =
        "site_id, timestamp, hit_id, visitor_id, is_new_visitor, kind, event_name, hostname, path, title, referrer, source, channel, " +
        "utm_source, utm_medium, utm_campaign, utm_term, utm_content, country, region, city, browser, browser_version, os, os_version, " +
        "device_type, screen_width, is_bot, link_campaign, link_target, props, retention_days";

    public static void Encode(IReadOnlyList<Hit> hits, IBufferWriter<byte> output, RetentionOptions retention)
    {
        var row = new RowBinaryWriter(output);
        foreach (var hit in hits)
        {
            row.String(hit.SiteId);
            row.DateTime64Milliseconds(hit.Timestamp);
            row.Uuid(hit.HitId);
            row.Uuid(hit.VisitorId);
            row.Bool(hit.IsNewVisitor);
            row.UInt8((byte)hit.Kind);
            row.String(hit.EventName);
            row.String(hit.Hostname);
            row.String(hit.Path);
            row.String(hit.Title);
            row.String(hit.Referrer);
            row.String(hit.Source);
            row.String(hit.Channel);
            row.String(hit.UtmSource);
            row.String(hit.UtmMedium);
            row.String(hit.UtmCampaign);
            row.String(hit.UtmTerm);
            row.String(hit.UtmContent);
            row.String(hit.Country);
            row.String(hit.Region);
            row.String(hit.City);
            row.String(hit.Browser);
            row.String(hit.BrowserVersion);
            row.String(hit.Os);
            row.String(hit.OsVersion);
            row.String(hit.DeviceType);
            row.UInt16(hit.ScreenWidth);
            row.Bool(hit.IsBot);
            row.String(hit.LinkCampaign);
            row.String(hit.LinkTarget);
            row.VarUInt((ulong)hit.Props.Count);
            foreach (var (key, value) in hit.Props)
            {
                row.String(key);
                row.String(value);
            }
            row.UInt16(retention.RawDaysFor(hit.SiteId, hit.Timestamp));
        }
        row.Flush();
    }
}
