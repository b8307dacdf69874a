using System.Text;
using System.Text.RegularExpressions;

namespace Analytics.Collector.Enrichment.UserAgents;

/// <summary>
/// uap-core's replacement rules: <c>$1</c>..<c>$9</c> in a replacement stand for the match's groups
/// (an absent or unmatched group gives ""), the result is trimmed, and an empty result means "absent".
/// These are the rules of the reference implementations (uap-python's matchers), which the
/// conformance cases are written against.
/// </summary>
internal static class UapTemplate
{
    /// <summary>Expands <paramref name="template"/> against <paramref name="match"/>; null when it comes out empty.</summary>
    public static string? Expand(string template, Match match)
    {
        if (template.Length == 2 && template[0] == '$' && char.IsAsciiDigit(template[1]))
        {
            // The common case, a bare group reference, needs no builder.
            return Group(match, template[1] - '0').Trim() is { Length: > 0 } bare ? bare : null;
        }
        if (!template.Contains('$', StringComparison.Ordinal))
        {
            return template.Trim() is { Length: > 0 } literal ? literal : null;
        }
        var result = new StringBuilder(template.Length + 16);
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '$' && i + 1 < template.Length && char.IsAsciiDigit(template[i + 1]) && template[i + 1] != '0')
            {
                result.Append(Group(match, template[i + 1] - '0'));
                i++;
            }
            else
            {
                result.Append(c);
            }
        }
        return result.ToString().Trim() is { Length: > 0 } expanded ? expanded : null;
    }

    /// <summary>The text of group <paramref name="index"/>, or null when the regex has no such group or it did not take part.</summary>
    public static string? GroupOrNull(Match match, int index)
    {
        var value = Group(match, index);
        return value.Length == 0 ? null : value;
    }

    private static string Group(Match match, int index) =>
        index < match.Groups.Count && match.Groups[index].Success ? match.Groups[index].Value : "";
}
