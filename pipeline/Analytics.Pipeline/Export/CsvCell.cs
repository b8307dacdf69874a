using System.Buffers;

namespace Analytics.Pipeline.Export;

/// <summary>
/// A text cell for the CSV files people open in spreadsheets (analysts' exports, partner reports), made
/// inert as OWASP advises against CSV injection: page paths, titles and campaign values come from
/// visitors' browsers, and a spreadsheet runs a cell that starts with = + - @ (or a tab or line break)
/// as a formula. Such a cell gets a leading apostrophe, also when spaces or the full-width forms of
/// those characters lead it; and a cell holding a comma, semicolon (the separator in many locales), tab,
/// quote or line break is quoted, so no part of it can start a cell of its own.
/// </summary>
public static class CsvCell
{
    private const string Triggers = "=+-@\uFF1D\uFF0B\uFF0D\uFF20";

    private static readonly SearchValues<char> NeedsQuotes = SearchValues.Create(",;\t\"\r\n");

    /// <summary>The cell as written into the file (RFC 4180 quoting included).</summary>
    public static string Text(string value)
    {
        if (RunsAsFormula(value))
        {
            value = "'" + value;
        }
        return !value.AsSpan().ContainsAny(NeedsQuotes) ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>True when a spreadsheet could read the cell as a formula.</summary>
    public static bool RunsAsFormula(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return false;
        }
        if (value[0] is '\t' or '\r' or '\n')
        {
            return true;
        }
        var start = value.TrimStart(' ');
        return !start.IsEmpty && Triggers.Contains(start[0]);
    }
}
