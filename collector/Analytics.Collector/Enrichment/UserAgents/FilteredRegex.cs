using System.Text.RegularExpressions;

namespace Analytics.Collector.Enrichment.UserAgents;

/// <summary>A regex (a uap-core rule or a crawler pattern) with the literals any match must contain checked first (see <see cref="LiteralFilter"/>).</summary>
internal sealed class FilteredRegex
{
    /// <summary>
    /// A hostile user-agent must not stall a request: a regex that runs this long counts as no match.
    /// Generous, because the first match of a compiled regex includes its JIT time (tens of milliseconds
    /// for the largest rules on a busy machine), and inputs are already cut to a bounded length.
    /// </summary>
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);

    private readonly Regex _regex;
    private readonly LiteralFilter? _filter;

    public FilteredRegex(string pattern, bool ignoreCase)
    {
        // Compiled: parsing is the cold path behind the cache, but a cold parse still tries ~1,200 rules.
        var options = RegexOptions.CultureInvariant | RegexOptions.Compiled | (ignoreCase ? RegexOptions.IgnoreCase : 0);
        _regex = new Regex(pattern, options, MatchTimeout);
        _filter = LiteralFilter.Extract(pattern, ignoreCase);
    }

    public LiteralFilter? Filter => _filter;

    /// <summary>Whether <paramref name="input"/> contains a match (false also when the regex timed out); allocates nothing.</summary>
    public bool IsMatch(string input, string lowered)
    {
        if (_filter is not null && !_filter.MayMatch(input, lowered))
        {
            return false;
        }
        try
        {
            return _regex.IsMatch(input);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>The first match in <paramref name="input"/>, or null (also when the regex timed out).</summary>
    /// <param name="input">The text.</param>
    /// <param name="lowered"><paramref name="input"/>.ToLowerInvariant(), for the filter's case-insensitive literals.</param>
    public Match? Find(string input, string lowered)
    {
        if (_filter is not null && !_filter.MayMatch(input, lowered))
        {
            return null;
        }
        try
        {
            var m = _regex.Match(input);
            return m.Success ? m : null;
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
    }
}
