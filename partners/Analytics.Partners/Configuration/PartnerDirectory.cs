using Analytics.Partners.Reports;
using Analytics.Pipeline.Sites;
using Microsoft.Extensions.Options;

namespace Analytics.Partners.Configuration;

/// <summary>
/// The configured partners and their reports, and the concrete queries they make. A site's KThreshold comes from
/// the site registry at each run (<paramref name="sites"/>), so an edit to the sites file applies to the next report.
/// </summary>
public sealed class PartnerDirectory(IOptions<PartnersOptions> options, ISiteSettings? sites = null)
{
    public PartnersOptions Options { get; } = options.Value;

    public IReadOnlyList<PartnerOptions> All => Options.Partners;

    public PartnerOptions? Find(string partnerId) => Options.Partners.FirstOrDefault(p => p.Id == partnerId);

    public static ReportOptions? FindReport(PartnerOptions partner, string reportId) => partner.Reports.FirstOrDefault(r => r.Id == reportId);

    /// <summary>The partner's k, never below the global floor.</summary>
    public int KFor(PartnerOptions partner) => Math.Max(partner.K ?? Options.DefaultK, Options.MinimumK);

    /// <summary>The k a report runs with: the partner's, raised to the highest KThreshold of the sites it covers.</summary>
    public int KFor(PartnerOptions partner, ReportOptions report) =>
        report.Sites.Select(s => sites?.Find(s)?.KThreshold ?? 0).Append(KFor(partner)).Max();

    /// <summary>The report for one window, with the partner's coarsening applied (k then applies to the coarser cells).</summary>
    public static ReportQuery QueryFor(PartnerOptions partner, ReportOptions report, ReportWindow window)
    {
        var dimensions = new List<string> { ReportCatalog.Site };
        foreach (var dimension in report.Dimensions)
        {
            var coarse = partner.Coarsen.TryGetValue(dimension, out var coarser) ? coarser : dimension;
            if (!dimensions.Contains(coarse))
            {
                dimensions.Add(coarse);
            }
        }
        var metrics = (report.Metrics.Count == 0 ? ["pageviews"] : report.Metrics).Where(m => m != ReportCatalog.Visitors).Distinct(StringComparer.Ordinal).ToList();
        return new ReportQuery(partner.Id, report.Id, report.Sites, dimensions, metrics, report.Filters, report.Granularity, window);
    }
}
