using System.Buffers;
using Analytics.Pipeline.Storage;

namespace Analytics.Pipeline.Sessions;

/// <summary>Encodes session rows as ClickHouse RowBinary rows of the sessions table, columns as in <see cref="Columns"/>.</summary>
public static class SessionRowBinaryEncoder
{
    public const string Format = "RowBinary";

    /// <summary>The columns written, in order, for INSERT INTO sessions (...).</summary>
    public const string Columns =
        "site_id, visitor_id, session_id, sign, version, started_at, ended_at, duration, hits, pageviews, events, link_clicks, " +
        "is_bounce, is_new_visitor, is_bot, hostname, entry_page, exit_page, referrer, source, channel, " +
        "utm_source, utm_medium, utm_campaign, utm_term, utm_content, link_campaign, country, region, city, " +
        "browser, browser_version, os, os_version, device_type, screen_width, retention_days";

    public static void Encode(IReadOnlyList<SessionRow> rows, IBufferWriter<byte> output, RetentionOptions retention)
    {
        var row = new RowBinaryWriter(output);
        foreach (var session in rows)
        {
            var entry = session.Entry;
            row.String(entry.SiteId);
            row.Uuid(entry.VisitorId);
            row.Uuid(session.SessionId);
            row.Int8(session.Sign);
            row.UInt32(session.Version);
            row.DateTime64Milliseconds(session.StartedAt);
            row.DateTime64Milliseconds(session.EndedAt);
            row.UInt32(session.Duration);
            row.UInt32(session.Hits);
            row.UInt32(session.Pageviews);
            row.UInt32(session.Events);
            row.UInt32(session.LinkClicks);
            row.Bool(session.IsBounce);
            row.Bool(entry.IsNewVisitor);
            row.Bool(entry.IsBot);
            row.String(entry.Hostname);
            row.String(entry.Path);
            row.String(session.ExitPage);
            row.String(entry.Referrer);
            row.String(entry.Source);
            row.String(entry.Channel);
            row.String(entry.UtmSource);
            row.String(entry.UtmMedium);
            row.String(entry.UtmCampaign);
            row.String(entry.UtmTerm);
            row.String(entry.UtmContent);
            row.String(entry.LinkCampaign);
            row.String(entry.Country);
            row.String(entry.Region);
            row.String(entry.City);
            row.String(entry.Browser);
            row.String(entry.BrowserVersion);
            row.String(entry.Os);
            row.String(entry.OsVersion);
            row.String(entry.DeviceType);
            row.UInt16(entry.ScreenWidth);
            row.UInt16(retention.RawDaysFor(entry.SiteId, session.StartedAt));
        }
        row.Flush();
    }
}
