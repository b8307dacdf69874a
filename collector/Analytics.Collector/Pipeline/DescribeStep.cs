using Analytics.Pipeline.Hits;
using Microsoft.Extensions.Options;

namespace Analytics.Collector.Pipeline;

/// <summary>Builds the outgoing hit's page fields: host and path only (no query string, no fragment).</summary>
public sealed class DescribeStep(IOptions<CollectorOptions> options) : IHitStep
{
    public DropReason? Apply(HitContext hit)
    {
        var p = hit.Parameters;
        var maxText = options.Value.MaxTextLength;
        var kind = hit.Kind ?? (string.IsNullOrEmpty(p.EventName) ? HitKind.Pageview : HitKind.Event);
        // A link click has no page: it is described by its target (the enrichment steps scrub it further).
        var page = kind == HitKind.LinkClick ? hit.LinkTarget! : hit.PageUrl!;
        hit.Hit = new Hit
        {
            HitId = hit.HitId ?? Guid.CreateVersion7(new DateTimeOffset(hit.ReceivedAt)),
            SiteId = hit.Site!.Id,
            Timestamp = hit.ReceivedAt,
            VisitorId = hit.VisitorId,
            IsNewVisitor = hit.IsNewVisitor,
            Kind = kind,
            EventName = kind == HitKind.Event ? Cut(p.EventName, maxText) : "",
            Hostname = page.Host,
            Path = page.AbsolutePath,
            Title = Cut(p.Title, maxText),
            ScreenWidth = ushort.TryParse(p.ScreenWidth, out var width) ? width : (ushort)0,
            LinkCampaign = hit.LinkCampaign,
            LinkTarget = kind == HitKind.LinkClick ? WithoutQuery(hit.LinkTarget!) : Target(p.LinkTarget),
            Props = p.Props.Count == 0 ? p.Props : Cut(p.Props, options.Value.MaxPropValueLength),
        };
        return null;
    }

    private static string Cut(string? value, int max) =>
        string.IsNullOrEmpty(value) ? "" : value.Length <= max ? value : value[..max];

    private static Dictionary<string, string> Cut(IReadOnlyDictionary<string, string> props, int max) =>
        props.ToDictionary(kv => kv.Key, kv => Cut(kv.Value, max), StringComparer.Ordinal);

    /// <summary>An outbound link or download target: http(s) only, without query or fragment.</summary>
    private static string Target(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && ValidateStep.IsWeb(url) ? WithoutQuery(url) : "";

    private static string WithoutQuery(Uri url) => url.GetLeftPart(UriPartial.Path);
}
