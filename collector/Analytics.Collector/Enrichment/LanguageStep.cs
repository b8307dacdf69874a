using Analytics.Collector.Pipeline;

namespace Analytics.Collector.Enrichment;

/// <summary>
/// The browser's language: the primary subtag of its first choice in <c>Accept-Language</c> (<c>de</c> from
/// <c>de-CH,de;q=0.9,en;q=0.8</c>), lower-cased; empty unless it is 2 or 3 ASCII letters. Region, script
/// and the rest of the list are never kept: the full header narrows a visitor down far more than a language does.
/// </summary>
public sealed class LanguageStep : IHitStep
{
    /// <summary>Each answer is one of at most 26² + 26³ strings, made once: the hot path allocates nothing.</summary>
    private static readonly string?[] Interned = new string?[(26 * 26) + (26 * 26 * 26)];

    public DropReason? Apply(HitContext hit)
    {
        var header = hit.Http.Request.Headers.AcceptLanguage;
        hit.Hit.Language = header.Count == 0 ? "" : PrimaryLanguage(header[0]);
        return null;
    }

    /// <summary>
    /// The primary subtag of the entry with the highest weight (the first of equals; weight 0 means "not
    /// this one"), or "" when there is none or it is not 2-3 letters (<c>*</c>, <c>i-klingon</c>, garbage).
    /// </summary>
    public static string PrimaryLanguage(ReadOnlySpan<char> header)
    {
        var best = ReadOnlySpan<char>.Empty;
        var bestWeight = 0;
        while (!header.IsEmpty)
        {
            var comma = header.IndexOf(',');
            var entry = comma < 0 ? header : header[..comma];
            header = comma < 0 ? [] : header[(comma + 1)..];
            var semicolon = entry.IndexOf(';');
            var weight = semicolon < 0 ? 1000 : Weight(entry[(semicolon + 1)..]);
            if (weight > bestWeight)
            {
                best = semicolon < 0 ? entry : entry[..semicolon];
                bestWeight = weight;
            }
        }
        best = best.Trim(" \t");
        var end = best.IndexOfAny('-', '_');
        return Interning(end < 0 ? best : best[..end]);
    }

    /// <summary>The q parameter in thousandths (RFC 9110: 0 to 1, three decimals); an entry without q is 1; one that cannot be read is 0.</summary>
    private static int Weight(ReadOnlySpan<char> parameters)
    {
        parameters = parameters.Trim(" \t");
        if (!parameters.StartsWith("q=", StringComparison.OrdinalIgnoreCase))
        {
            return 1000;
        }
        var value = parameters[2..].Trim(" \t");
        if (value.Length == 0 || value[0] is not ('0' or '1'))
        {
            return 0;
        }
        var weight = (value[0] - '0') * 1000;
        var scale = 100;
        for (var i = 2; i < value.Length && i < 5 && value[1] == '.' && char.IsAsciiDigit(value[i]); i++, scale /= 10)
        {
            weight += (value[i] - '0') * scale;
        }
        return Math.Min(weight, 1000);
    }

    private static string Interning(ReadOnlySpan<char> subtag)
    {
        if (subtag.Length is < 2 or > 3)
        {
            return "";
        }
        var index = 0;
        foreach (var c in subtag)
        {
            if (!char.IsAsciiLetter(c))
            {
                return "";
            }
            index = (index * 26) + (char.ToLowerInvariant(c) - 'a');
        }
        if (subtag.Length == 3)
        {
            index += 26 * 26;
        }
        return Interned[index] ??= subtag.ToString().ToLowerInvariant();
    }
}
