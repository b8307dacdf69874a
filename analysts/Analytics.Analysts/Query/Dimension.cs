using Analytics.Pipeline.Hits;

namespace Analytics.Analysts.Query;

/// <summary>Where a dimension's value lives: on each hit, on the visit (from its first hit), or both (as <see cref="FieldLevel"/>).</summary>
public enum DimensionLevel
{
    /// <summary>Differs from hit to hit within a visit (page, event name).</summary>
    Hit = FieldLevel.Hit,

    /// <summary>Belongs to the visit as a whole (source, UTM, entry and exit page).</summary>
    Visit = FieldLevel.Visit,

    /// <summary>Stored on every hit and the same for the whole visit (country, browser, device).</summary>
    Both = FieldLevel.Both,
}

/// <summary>
/// One dimension of the allow-list: a public name mapped to a column. Only these names reach SQL; the
/// column names are ours, never the caller's.
/// </summary>
public sealed record Dimension(string Name, string Column, DimensionLevel Level)
{
    /// <summary>The dimensions declared in <see cref="HitFields"/>, in declaration order.</summary>
    public static IReadOnlyList<Dimension> All { get; } =
        [.. HitFields.All.Where(f => f.Dimension is not null).Select(f => new Dimension(f.Dimension!.Name, f.Column, (DimensionLevel)f.Dimension.Level))];

    /// <summary>Finds a dimension by name; Plausible-style prefixes ("event:page", "visit:source") are accepted.</summary>
    public static bool TryFind(string name, out Dimension dimension)
    {
        var plain = name.StartsWith("event:", StringComparison.Ordinal) ? name[6..]
            : name.StartsWith("visit:", StringComparison.Ordinal) ? name[6..]
            : name;
        if (plain.StartsWith(PropsPrefix, StringComparison.Ordinal))
        {
            return TryProperty(plain[PropsPrefix.Length..], out dimension);
        }
        dimension = All.FirstOrDefault(d => d.Name == plain)!;
        return dimension is not null;
    }

    /// <summary>Custom properties are "props:NAME" (Plausible's "event:props:NAME").</summary>
    public const string PropsPrefix = "props:";

    /// <summary>Longest property name a query may name (the collector keeps none longer: Collector:MaxPropNameLength).</summary>
    public const int MaxPropertyName = 256;

    /// <summary>
    /// The custom property <paramref name="property"/> of each hit ('' when the hit has none). The name is
    /// the caller's, so it reaches SQL only hex-encoded: no character of it can end the literal.
    /// </summary>
    public static bool TryProperty(string property, out Dimension dimension)
    {
        dimension = null!;
        if (property.Length is 0 or > MaxPropertyName)
        {
            return false;
        }
        dimension = new Dimension(PropsPrefix + property, $"props[{HexLiteral(property)}]", DimensionLevel.Hit);
        return true;
    }

    /// <summary>A string as SQL text that cannot carry anything but hex digits: unhex('...').</summary>
    public static string HexLiteral(string value) => $"unhex('{Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(value))}')";
}
