using System.Globalization;
using Analytics.Partners.Privacy;
using Analytics.Partners.Reports;
using Microsoft.Extensions.Options;

namespace Analytics.Partners.Configuration;

/// <summary>Checks the partners and their reports at start; each message names the configuration key at fault.</summary>
public sealed class PartnersOptionsValidator : IValidateOptions<PartnersOptions>
{
    private const string Root = PartnersOptions.Section;

    public ValidateOptionsResult Validate(string? name, PartnersOptions options)
    {
        var problems = Problems(options).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    public static IEnumerable<string> Problems(PartnersOptions options)
    {
        if (options.DefaultK < options.MinimumK)
        {
            yield return $"{Root}:DefaultK ({options.DefaultK}) is below {Root}:MinimumK ({options.MinimumK})";
        }
        if (options.OperatorKeySha256.Length > 0 && !IsSha256Hex(options.OperatorKeySha256))
        {
            yield return $"{Root}:OperatorKeySha256 must be 64 hex digits (the SHA-256 of the key, see `analytics partners key`)";
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var p = 0; p < options.Partners.Count; p++)
        {
            var partner = options.Partners[p];
            var at = $"{Root}:Partners:{p}";
            if (!IsIdentifier(partner.Id))
            {
                yield return $"{at}:Id must be 1-64 letters, digits, '-' or '_'";
            }
            else if (!ids.Add(partner.Id))
            {
                yield return $"{at}:Id '{partner.Id}' is listed twice";
            }
            if (!IsSha256Hex(partner.KeySha256))
            {
                yield return $"{at}:KeySha256 must be 64 hex digits (the SHA-256 of the partner's key, see `analytics partners key`)";
            }
            else if (!keys.Add(partner.KeySha256))
            {
                yield return $"{at}:KeySha256 is the same as another partner's: each partner needs its own key";
            }
            if (partner.K is { } k && k < options.MinimumK)
            {
                yield return $"{at}:K ({k}) is below the global floor {Root}:MinimumK ({options.MinimumK})";
            }
            if (!Enum.IsDefined(partner.SmallCells))
            {
                yield return $"{at}:SmallCells must be Suppress or FoldIntoOther";
            }
            foreach (var (from, to) in partner.Coarsen)
            {
                if (!ReportCatalog.Coarser.TryGetValue(from, out var allowed) || !allowed.Contains(to))
                {
                    yield return $"{at}:Coarsen:{from} = '{to}' is not a known coarsening ({Known(ReportCatalog.Coarser.Select(c => c.Key + " -> " + string.Join('|', c.Value.Order())))})";
                }
            }
            foreach (var problem in PushProblems(partner.Push, $"{at}:Push"))
            {
                yield return problem;
            }
            var reportIds = new HashSet<string>(StringComparer.Ordinal);
            for (var r = 0; r < partner.Reports.Count; r++)
            {
                var report = partner.Reports[r];
                var reportAt = $"{at}:Reports:{r}";
                if (!IsIdentifier(report.Id))
                {
                    yield return $"{reportAt}:Id must be 1-64 letters, digits, '-' or '_'";
                }
                else if (!reportIds.Add(report.Id))
                {
                    yield return $"{reportAt}:Id '{report.Id}' is listed twice for partner '{partner.Id}'";
                }
                var problems = ReportProblems(report, reportAt).Concat(PrivacyProblems.Of(partner, at, report, reportAt)).ToList();
                foreach (var problem in problems)
                {
                    yield return problem;
                }
                // Differentially private reports read bounded contributions from raw hits, not a rollup.
                if (problems.Count == 0 && report.Privacy.Mode == PrivacyMode.KSuppression && RollupProblem(partner, report, reportAt) is { } rollupProblem)
                {
                    yield return rollupProblem;
                }
            }
            foreach (var problem in OverlappingPeriods(partner, at))
            {
                yield return problem;
            }
        }
    }

    /// <summary>
    /// Two k-suppressed reports of one partner over a site whose periods differ in shape (one by day, one by week):
    /// their periods overlap without being equal, and a reader subtracting one from the other recovers withheld
    /// cells (<see cref="ReportPeriods"/>).
    /// </summary>
    private static IEnumerable<string> OverlappingPeriods(PartnerOptions partner, string at)
    {
        var suppressed = partner.Reports.Select((report, index) => (Report: report, Index: index))
            .Where(x => x.Report.Privacy.Mode == PrivacyMode.KSuppression && Enum.IsDefined(x.Report.Granularity) && Enum.IsDefined(x.Report.Window))
            .ToList();
        for (var i = 0; i < suppressed.Count; i++)
        {
            var (report, index) = suppressed[i];
            var shape = ReportPeriods.Shape(report.Granularity, report.Window);
            var clash = suppressed.Take(i).FirstOrDefault(x => ReportPeriods.Shape(x.Report.Granularity, x.Report.Window) != shape && x.Report.Sites.Intersect(report.Sites).Any());
            if (clash.Report is { } other)
            {
                yield return $"{at}:Reports:{index} ('{report.Id}', periods of a {shape}) and {at}:Reports:{clash.Index} ('{other.Id}', periods of a " +
                    $"{ReportPeriods.Shape(other.Granularity, other.Window)}) cover site '{other.Sites.Intersect(report.Sites).First()}' for one partner: a reader " +
                    "could subtract one from the other and recover withheld cells. Give the partner one period shape per site " +
                    "(Granularity and Window), or publish one of them with Privacy:Mode DifferentialPrivacy";
            }
        }
    }

    private static IEnumerable<string> PushProblems(PushTarget push, string at)
    {
        if (push.Url.Length == 0)
        {
            yield break;
        }
        if (!Uri.TryCreate(push.Url, UriKind.Absolute, out var url)
            || !(url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && url.IsLoopback)))
        {
            yield return $"{at}:Url must be an absolute https:// URL (http:// only to a loopback address)";
        }
        if (push.Secret.Length < 32)
        {
            yield return $"{at}:Secret must be at least 32 characters when {at}:Url is set";
        }
    }

    private static IEnumerable<string> ReportProblems(ReportOptions report, string at)
    {
        if (report.Sites.Count == 0 || report.Sites.Any(s => !IsIdentifier(s, extra: '.')))
        {
            yield return $"{at}:Sites must list at least one site id";
        }
        for (var i = 0; i < report.Dimensions.Count; i++)
        {
            if (!ReportCatalog.Dimensions.Contains(report.Dimensions[i]))
            {
                yield return $"{at}:Dimensions:{i} '{report.Dimensions[i]}' is not a dimension ({Known(ReportCatalog.Dimensions)})";
            }
        }
        if (report.Dimensions.Distinct(StringComparer.Ordinal).Count() != report.Dimensions.Count)
        {
            yield return $"{at}:Dimensions lists a dimension twice";
        }
        for (var i = 0; i < report.Metrics.Count; i++)
        {
            if (!ReportCatalog.Metrics.Contains(report.Metrics[i]))
            {
                yield return $"{at}:Metrics:{i} '{report.Metrics[i]}' is not a metric ({Known(ReportCatalog.Metrics)})";
            }
        }
        foreach (var (dimension, value) in report.Filters)
        {
            if (!ReportCatalog.Dimensions.Contains(dimension))
            {
                yield return $"{at}:Filters:{dimension} is not a dimension ({Known(ReportCatalog.Dimensions)})";
            }
            else if (value.Length == 0)
            {
                yield return $"{at}:Filters:{dimension} needs a value";
            }
        }
        if (!Enum.IsDefined(report.Granularity))
        {
            yield return $"{at}:Granularity must be one of {Known(Enum.GetNames<Granularity>())}";
        }
        if (!Enum.IsDefined(report.Window))
        {
            yield return $"{at}:Window must be one of {Known(Enum.GetNames<WindowKind>())}";
        }
        if (!Enum.IsDefined(report.Format))
        {
            yield return $"{at}:Format must be one of {Known(Enum.GetNames<ReportFormat>())}";
        }
        var schedule = report.Schedule;
        if (!TryFindTimeZone(schedule.TimeZone, out _))
        {
            yield return $"{at}:Schedule:TimeZone '{schedule.TimeZone}' is not a known time zone (use an IANA id such as Europe/Paris)";
        }
        if (schedule.DayOfMonth is < 1 or > 28)
        {
            yield return $"{at}:Schedule:DayOfMonth must be 1-28";
        }
        if (!Enum.IsDefined(schedule.Cadence))
        {
            yield return $"{at}:Schedule:Cadence must be one of {Known(Enum.GetNames<Cadence>())}";
        }
    }

    /// <summary>The report, coarsened for its partner, must read from a single rollup.</summary>
    private static string? RollupProblem(PartnerOptions partner, ReportOptions report, string at)
    {
        var query = PartnerDirectory.QueryFor(partner, report, default);
        if (ReportCatalog.RollupFor(query.Dimensions.Concat(query.Filters.Keys), query.Metrics) is not null)
        {
            return null;
        }
        var rollups = ReportCatalog.Rollups.Select(r => $"[{string.Join(' ', r.Dimensions.Order(StringComparer.Ordinal))} | {string.Join(' ', r.Metrics.Order(StringComparer.Ordinal))}]");
        return $"{at}: no rollup holds all of its dimensions and filters ({string.Join(", ", query.Dimensions.Skip(1).Concat(query.Filters.Keys))}) "
            + $"and metrics ({string.Join(", ", query.Metrics)}); each report must fit one of: {string.Join("; ", rollups)}";
    }

    public static bool TryFindTimeZone(string id, out TimeZoneInfo zone)
    {
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            zone = TimeZoneInfo.Utc;
            return false;
        }
    }

    public static bool IsSha256Hex(string value) => value.Length == 64 && value.All(char.IsAsciiHexDigit);

    private static bool IsIdentifier(string value, char extra = '_') =>
        value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' || c == extra);

    private static string Known(IEnumerable<string> values) => string.Join(", ", values.Order(StringComparer.Ordinal).Select(v => v.ToString(CultureInfo.InvariantCulture)));
}
