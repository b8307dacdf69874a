using Analytics.Collector.Enrichment.UserAgents;
using Analytics.Collector.Pipeline;

namespace Analytics.Collector.Enrichment;

/// <summary>Browser, OS, device type and bot flag from the User-Agent header; the header itself goes no further.</summary>
public sealed class UserAgentStep(UserAgentClassifier classifier, EnrichmentMetrics metrics) : IHitStep
{
    public DropReason? Apply(HitContext hit)
    {
        var header = hit.Http.Request.Headers.UserAgent;
        var client = header.Count == 0 && hit.Http.Items.ContainsKey(HitContext.UserAgentNotLoggedItem)
            ? UserAgentClassifier.NotLogged
            : classifier.Describe(header.Count == 0 ? null : header[0]);
        var h = hit.Hit;
        h.Browser = client.Browser;
        h.BrowserVersion = client.BrowserVersion;
        h.Os = client.Os;
        h.OsVersion = client.OsVersion;
        h.DeviceType = client.DeviceType;
        h.IsBot = client.IsBot;
        if (client.IsBot)
        {
            metrics.Bot();
        }
        return null;
    }
}
