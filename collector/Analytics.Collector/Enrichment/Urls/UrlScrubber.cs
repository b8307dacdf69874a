using System.Text;

namespace Analytics.Collector.Enrichment.Urls;

/// <summary>
/// Redacts personal data from URL paths and values before anything is stored. A path segment (between
/// slashes) is replaced whole by <see cref="EmailPlaceholder"/> when it holds an e-mail address (an '@',
/// also as %40, with a dot after it), and by <see cref="TokenPlaceholder"/> when it looks like an opaque
/// token: a UUID anywhere in it (as in "order-550e8400-e29b-41d4-a716-446655440000"), or a run of 16 or more letters and digits (no separators) that mixes both or is all
/// digits, or any such run of 32 or more. Slugs such as "privacy-first-analytics-2026" are words between
/// separators and stay. A path with nothing to redact is returned as the same string (no allocation).
/// </summary>
public static class UrlScrubber
{
    public const string EmailPlaceholder = "[email]";
    public const string TokenPlaceholder = "[token]";

    private const int TokenRun = 16;
    private const int AnyLongRun = 32;
    private const int UuidLength = 36;

    public static string ScrubPath(string path)
    {
        var span = path.AsSpan();
        return NeedsScrubbing(span) ? Scrub(span) : path;
    }

    public static bool NeedsScrubbing(ReadOnlySpan<char> path)
    {
        foreach (var range in path.Split('/'))
        {
            if (Placeholder(path[range]) is not null)
            {
                return true;
            }
        }
        return false;
    }

    public static string Scrub(ReadOnlySpan<char> path)
    {
        var result = new StringBuilder(path.Length);
        var first = true;
        foreach (var range in path.Split('/'))
        {
            if (!first)
            {
                result.Append('/');
            }
            first = false;
            var segment = path[range];
            result.Append(Placeholder(segment) ?? segment);
        }
        return result.ToString();
    }

    /// <summary>The placeholder for a path segment or a value, or null when it may be kept.</summary>
    public static string? Placeholder(ReadOnlySpan<char> segment)
    {
        if (segment.Length < 5)
        {
            return null;
        }
        if (IsEmail(segment))
        {
            return EmailPlaceholder;
        }
        return IsToken(segment) ? TokenPlaceholder : null;
    }

    private static bool IsEmail(ReadOnlySpan<char> s)
    {
        var at = s.IndexOf('@');
        var width = 1;
        if (at < 0)
        {
            at = s.IndexOf("%40", StringComparison.Ordinal);
            width = 3;
        }
        return at > 0 && s[(at + width)..].IndexOf('.') > 0;
    }

    private static bool IsToken(ReadOnlySpan<char> s)
    {
        if (ContainsUuid(s))
        {
            return true;
        }
        int run = 0, letters = 0, digits = 0;
        for (var i = 0; i <= s.Length; i++)
        {
            var c = i < s.Length ? s[i] : '\0';
            if (char.IsAsciiLetter(c))
            {
                run++;
                letters++;
                continue;
            }
            if (char.IsAsciiDigit(c))
            {
                run++;
                digits++;
                continue;
            }
            if (run >= AnyLongRun || (run >= TokenRun && (digits > 0)))
            {
                return true;
            }
            run = letters = digits = 0;
        }
        return false;
    }

    private static bool ContainsUuid(ReadOnlySpan<char> s)
    {
        for (var start = 0; start + UuidLength <= s.Length; start++)
        {
            if (IsUuid(s.Slice(start, UuidLength)))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsUuid(ReadOnlySpan<char> s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var dash = i is 8 or 13 or 18 or 23;
            if (dash ? s[i] != '-' : !char.IsAsciiHexDigit(s[i]))
            {
                return false;
            }
        }
        return true;
    }
}
