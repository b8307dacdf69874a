using System.Globalization;
using System.Text;

namespace Analytics.Collector.Enrichment.UserAgents;

/// <summary>
/// Literals of which every match of a regex must contain at least one, so a rule can be skipped with a
/// few vectorized substring searches instead of running its regex: most of uap-core's ~1,200 rules name
/// a product ("Silk/", "KAIOS") that a given user-agent does not contain. <see cref="Extract"/> parses
/// the subset of regex syntax uap-core uses; anything it does not understand yields null (the rule is
/// always run), so a gap costs speed, never correctness. The filter may accept more than the regex
/// (it is then run), never less; the conformance tests exercise it on every rule.
/// </summary>
internal sealed class LiteralFilter
{
    private readonly string[] _anyOf;
    private readonly bool _ignoreCase;

    private LiteralFilter(string[] anyOf, bool ignoreCase)
    {
        // Case-insensitive literals are kept in lower case and searched in the lower-cased input with an
        // ordinal search: with invariant globalization (our default) an OrdinalIgnoreCase search is a
        // scalar loop, three times slower for the whole parse. Lower-casing maps char by char, so a
        // literal found ignoring case is found in the lowered input.
        _anyOf = ignoreCase ? [.. anyOf.Select(a => a.ToLowerInvariant()).Distinct(StringComparer.Ordinal)] : anyOf;
        _ignoreCase = ignoreCase;
    }

    public IReadOnlyList<string> AnyOf => _anyOf;

    public bool MayMatch(string input) => MayMatch(input, input.ToLowerInvariant());

    /// <param name="input">The text.</param>
    /// <param name="lowered"><paramref name="input"/>.ToLowerInvariant(), made once per text by the caller.</param>
    public bool MayMatch(string input, string lowered)
    {
        var text = _ignoreCase ? lowered : input;
        foreach (var literal in _anyOf)
        {
            if (text.Contains(literal, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A filter for <paramref name="pattern"/>, or null when no useful one can be derived.</summary>
    public static LiteralFilter? Extract(string pattern, bool ignoreCase)
    {
        try
        {
            var parser = new Parser(pattern, ignoreCase);
            var requirement = parser.Alternation();
            return parser.Failed || parser.Position != pattern.Length || requirement is null
                ? null
                : new LiteralFilter([.. requirement.AnyOf.Distinct(StringComparer.Ordinal)], requirement.IgnoreCase);
        }
        catch (IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>At least one of <see cref="AnyOf"/> occurs in every match.</summary>
    private sealed record Requirement(IReadOnlyList<string> AnyOf, bool IgnoreCase)
    {
        public int MinLength => AnyOf.Min(a => a.Length);

        /// <summary>Fewer alternatives filter faster; longer literals are rarer.</summary>
        public static Requirement? Best(IEnumerable<Requirement> candidates) => candidates
            .Where(c => c.MinLength >= 2)
            .OrderBy(c => c.AnyOf.Count).ThenByDescending(c => c.MinLength).ThenBy(c => c.IgnoreCase)
            .FirstOrDefault();
    }

    private sealed class Parser(string p, bool ignoreCase)
    {
        private int _i;

        public int Position => _i;

        public bool Failed { get; private set; }

        /// <summary>branch ('|' branch)*: a requirement only when every branch has one.</summary>
        public Requirement? Alternation()
        {
            var branches = new List<Requirement?> { Sequence() };
            while (_i < p.Length && p[_i] == '|')
            {
                _i++;
                branches.Add(Sequence());
            }
            if (branches.Count == 1)
            {
                return branches[0];
            }
            return branches.Any(b => b is null)
                ? null
                : new Requirement([.. branches.SelectMany(b => b!.AnyOf)], branches.Any(b => b!.IgnoreCase));
        }

        private Requirement? Sequence()
        {
            var candidates = new List<Requirement>();
            var run = new StringBuilder();
            var runIgnoresCase = false;
            void Flush()
            {
                if (run.Length > 0)
                {
                    candidates.Add(new Requirement([run.ToString()], ignoreCase || runIgnoresCase));
                    run.Clear();
                    runIgnoresCase = false;
                }
            }

            while (_i < p.Length && p[_i] != ')' && p[_i] != '|' && !Failed)
            {
                var c = p[_i];
                if (c == '(')
                {
                    Flush();
                    var zeroWidth = OpenGroup();
                    var inner = Alternation();
                    if (_i >= p.Length || p[_i] != ')')
                    {
                        Failed = true;
                        break;
                    }
                    _i++;
                    if (!zeroWidth && Repeat(out _) >= 1 && inner is not null)
                    {
                        candidates.Add(inner);
                    }
                    continue;
                }
                if (c == '[')
                {
                    // A class of one letter in both cases ([Ss]) is that letter, compared ignoring case.
                    if (_i + 3 < p.Length && p[_i + 3] == ']' && char.IsAsciiLetter(p[_i + 1])
                        && p[_i + 1] != p[_i + 2] && char.ToLowerInvariant(p[_i + 1]) == char.ToLowerInvariant(p[_i + 2]))
                    {
                        var letter = p[_i + 1];
                        _i += 4;
                        Literal(letter, true);
                        continue;
                    }
                    Flush();
                    SkipClass();
                    Repeat(out _);
                    continue;
                }
                if (c is '.' or '^' or '$')
                {
                    Flush();
                    _i++;
                    Repeat(out _);
                    continue;
                }
                if (c == '\\')
                {
                    var escaped = p[_i + 1];
                    _i += 2;
                    if (char.IsAsciiLetterOrDigit(escaped))
                    {
                        // Classes (\d \s \w), anchors (\b), back-references and character codes end the run.
                        Flush();
                        _i += escaped switch { 'x' => 2, 'u' => 4, _ => 0 };
                        Repeat(out _);
                        continue;
                    }
                    Literal(escaped, false);
                    continue;
                }
                _i++;
                Literal(c, false);
            }
            Flush();
            return Requirement.Best(candidates);

            void Literal(char literal, bool caseFolded)
            {
                var min = Repeat(out var exactlyOnce);
                // Case-insensitive regexes also match a few non-ASCII look-alikes (the Kelvin sign for k,
                // long s for s) that an ordinal case-insensitive search would not: such letters end the run.
                if (min == 0 || (ignoreCase && (literal > 0x7F || literal is 'k' or 'K' or 's' or 'S')))
                {
                    Flush();
                    return;
                }
                run.Append(literal);
                runIgnoresCase |= caseFolded;
                if (!exactlyOnce)
                {
                    Flush();
                }
            }
        }

        /// <summary>Consumes '(' and any group prefix; true for lookarounds, which consume nothing.</summary>
        private bool OpenGroup()
        {
            _i++;
            if (p[_i] != '?')
            {
                return false;
            }
            switch (p[_i + 1])
            {
                case ':':
                    _i += 2;
                    return false;
                case '=' or '!':
                    _i += 2;
                    return true;
                case '<' when p[_i + 2] is '=' or '!':
                    _i += 3;
                    return true;
                default:
                    // Inline options, named groups, conditionals: not worth understanding here.
                    Failed = true;
                    return true;
            }
        }

        private void SkipClass()
        {
            _i++;
            if (p[_i] == '^')
            {
                _i++;
            }
            if (p[_i] == ']')
            {
                _i++;
            }
            while (p[_i] != ']')
            {
                _i += p[_i] == '\\' ? 2 : 1;
            }
            _i++;
        }

        /// <summary>Reads a quantifier, if any, and returns its minimum count (1 without one).</summary>
        private int Repeat(out bool exactlyOnce)
        {
            exactlyOnce = false;
            if (_i >= p.Length)
            {
                exactlyOnce = true;
                return 1;
            }
            int min;
            switch (p[_i])
            {
                case '?' or '*':
                    min = 0;
                    _i++;
                    break;
                case '+':
                    min = 1;
                    _i++;
                    break;
                case '{' when QuantifierEnd() is var end && end > 0:
                    var body = p.AsSpan(_i + 1, end - _i - 1);
                    var comma = body.IndexOf(',');
                    min = int.Parse(comma < 0 ? body : body[..comma], CultureInfo.InvariantCulture);
                    exactlyOnce = body.SequenceEqual("1");
                    _i = end + 1;
                    break;
                default:
                    exactlyOnce = true;
                    return 1;
            }
            if (_i < p.Length && p[_i] is '?' or '+')
            {
                _i++;
            }
            return min;
        }

        /// <summary>The index of the '}' closing a {n}, {n,} or {n,m} quantifier here; -1 for a literal brace.</summary>
        private int QuantifierEnd()
        {
            var j = _i + 1;
            var digits = 0;
            while (j < p.Length && char.IsAsciiDigit(p[j]))
            {
                j++;
                digits++;
            }
            if (digits == 0)
            {
                return -1;
            }
            if (j < p.Length && p[j] == ',')
            {
                j++;
                while (j < p.Length && char.IsAsciiDigit(p[j]))
                {
                    j++;
                }
            }
            return j < p.Length && p[j] == '}' ? j : -1;
        }
    }
}
