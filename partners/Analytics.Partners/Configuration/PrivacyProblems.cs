using Analytics.Partners.Privacy;

namespace Analytics.Partners.Configuration;

/// <summary>Start-time checks of a report's Privacy section and its partner's PrivacyBudget; each message names the key.</summary>
public static class PrivacyProblems
{
    /// <summary>δ above this would let a one-visitor cell show far too often; DP practice keeps δ well below 1/population.</summary>
    public const decimal MaxDelta = 0.001m;

    public static IEnumerable<string> Of(PartnerOptions partner, string partnerAt, ReportOptions report, string reportAt)
    {
        var privacy = report.Privacy;
        var at = reportAt + ":Privacy";
        if (!Enum.IsDefined(privacy.Mode))
        {
            yield return $"{at}:Mode must be KSuppression or DifferentialPrivacy";
            yield break;
        }
        if (privacy.Mode != PrivacyMode.DifferentialPrivacy)
        {
            yield break;
        }
        if (!Enum.IsDefined(privacy.Mechanism))
        {
            yield return $"{at}:Mechanism must be DiscreteLaplace or DiscreteGaussian";
        }
        if (privacy.Epsilon is <= 0 or > 10)
        {
            yield return $"{at}:Epsilon ({privacy.Epsilon}) must be above 0 and at most 10";
        }
        if (privacy.Delta is <= 0 or > MaxDelta)
        {
            yield return $"{at}:Delta ({privacy.Delta}) must be above 0 and at most {MaxDelta} (a threshold on noisy visitors needs a positive δ)";
        }
        if (privacy.MaxContributionsPerVisitor is < 1 or > 1000)
        {
            yield return $"{at}:MaxContributionsPerVisitor ({privacy.MaxContributionsPerVisitor}) must be 1 to 1000";
        }
        if (privacy.MaxCellsPerVisitor is < 1 or > 1000)
        {
            yield return $"{at}:MaxCellsPerVisitor ({privacy.MaxCellsPerVisitor}) must be 1 to 1000";
        }
        foreach (var metric in report.Metrics.Where(m => m != Reports.ReportCatalog.Visitors && !RawHitsContributionSource.Metrics.ContainsKey(m)))
        {
            yield return $"{reportAt}:Metrics: '{metric}' cannot be bounded per visitor under DifferentialPrivacy (allowed: visitors, {string.Join(", ", RawHitsContributionSource.Metrics.Keys.Order())})";
        }
        if (partner.PrivacyBudget.Epsilon < privacy.Epsilon || partner.PrivacyBudget.Delta < privacy.Delta)
        {
            yield return $"{partnerAt}:PrivacyBudget (ε={partner.PrivacyBudget.Epsilon}, δ={partner.PrivacyBudget.Delta}) cannot pay for one run of " +
                $"{at} (ε={privacy.Epsilon}, δ={privacy.Delta}): set {partnerAt}:PrivacyBudget:Epsilon and :Delta";
        }
    }
}
