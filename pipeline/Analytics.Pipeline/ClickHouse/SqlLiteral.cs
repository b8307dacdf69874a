using System.Text;

namespace Analytics.Pipeline.ClickHouse;

/// <summary>
/// Quoting for the few places ClickHouse takes no bound parameter (SETTINGS values). Everything else
/// uses {name:Type} parameters.
/// </summary>
public static class SqlLiteral
{
    public static string Quote(string value)
    {
        var quoted = new StringBuilder(value.Length + 2).Append('\'');
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': quoted.Append(@"\\"); break;
                case '\'': quoted.Append(@"\'"); break;
                case '\0': quoted.Append(@"\0"); break;
                case '\n': quoted.Append(@"\n"); break;
                case '\r': quoted.Append(@"\r"); break;
                case '\t': quoted.Append(@"\t"); break;
                default: quoted.Append(c); break;
            }
        }
        return quoted.Append('\'').ToString();
    }
}
