using Analytics.Pipeline.Hits;
using Microsoft.Extensions.Options;

namespace Analytics.Collector.Pipeline;

/// <summary>Builds the outgoing hit's page fields: host and path only (no query string, no fragment).</summary>
public sealed class DescribeStep(IOptions<CollectorOptions> options) : IHitStep
{
    public DropReason? Apply(HitContext hit)
    {
        var p = hit.Parameters;
        var url = hit.PageUrl!;
        var maxText = options.Value.MaxTextLength;
        hit.Hit = new Hit
        {
            HitId = Guid.CreateVersion7(new DateTimeOffset(hit.ReceivedAt)),
            SiteId = hit.Site!.Id,
            Timestamp = hit.ReceivedAt,
            VisitorId = hit.VisitorId,
            IsNewVisitor = hit.IsNewVisitor,
            Kind = string.IsNullOrEmpty(p.EventName) ? HitKind.Pageview : HitKind.Event,
            EventName = Cut(p.EventName, maxText),
            Hostname = url.Host,
            Path = url.AbsolutePath,
            Title = Cut(p.Title, maxText),
            ScreenWidth = ushort.TryParse(p.ScreenWidth, out var width) ? width : (ushort)0,
        };
        return null;
    }

    private static string Cut(string? value, int max) =>
        string.IsNullOrEmpty(value) ? "" : value.Length <= max ? value : value[..max];
}
