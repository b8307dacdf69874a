using System.Globalization;
using System.Text;

namespace Analytics.Analysts.Query;

/// <summary>
/// Collects bound parameters while SQL is built: each value becomes a {pN:Type} placeholder and travels
/// beside the SQL text, never inside it.
/// </summary>
public sealed class SqlParameters
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Values => _values;

    public string AddString(string value) => Add("String", Escaped(value));

    public string AddInt64(long value) => Add("Int64", value.ToString(CultureInfo.InvariantCulture));

    public string AddUInt32(uint value) => Add("UInt32", value.ToString(CultureInfo.InvariantCulture));

    private string Add(string type, string value)
    {
        var name = "p" + _values.Count.ToString(CultureInfo.InvariantCulture);
        _values[name] = value;
        return "{" + name + ":" + type + "}";
    }

    /// <summary>
    /// ClickHouse reads parameter values in its escaped (TSV) text form, so a backslash, tab or newline
    /// in a value is written as its escape sequence to arrive unchanged.
    /// </summary>
    internal static string Escaped(string value)
    {
        if (value.AsSpan().IndexOfAny("\\\t\n\r\0") < 0)
        {
            return value;
        }
        var escaped = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            escaped.Append(c switch
            {
                '\\' => @"\\",
                '\t' => @"\t",
                '\n' => @"\n",
                '\r' => @"\r",
                '\0' => @"\0",
                _ => c.ToString(),
            });
        }
        return escaped.ToString();
    }
}
