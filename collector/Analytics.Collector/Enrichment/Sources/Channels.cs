using System.Collections.Frozen;

namespace Analytics.Collector.Enrichment.Sources;

/// <summary>
/// The channel of a hit. Rules, first that applies:
/// <list type="number">
/// <item>utm_medium names one: cpc, ppc, paid*, display, cpm, banner, retargeting, affiliate(s) → paid;
/// email, e-mail, newsletter → email; social, social-network, social-media, sm → social; organic → search;
/// referral → referral.</item>
/// <item>the page URL carries an ad click ID (gclid, gbraid, wbraid, dclid, msclkid, twclid, li_fat_id) → paid.</item>
/// <item>the referrer (or, without one, utm_source) is in the referrer list: its medium (search, social,
/// email, paid; "unknown" and others → referral).</item>
/// <item>an external referrer, or a utm_source, not in the list → referral.</item>
/// <item>otherwise → direct (no referrer, or navigation within the site).</item>
/// </list>
/// </summary>
public static class Channels
{
    public const string Direct = "direct";
    public const string Search = "search";
    public const string Social = "social";
    public const string Email = "email";
    public const string Paid = "paid";
    public const string Referral = "referral";

    private static readonly FrozenDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Mediums = new Dictionary<string, string>
    {
        ["cpc"] = Paid,
        ["ppc"] = Paid,
        ["paid"] = Paid,
        ["paidsearch"] = Paid,
        ["paid_search"] = Paid,
        ["paid-search"] = Paid,
        ["paid_social"] = Paid,
        ["paid-social"] = Paid,
        ["paidsocial"] = Paid,
        ["display"] = Paid,
        ["cpm"] = Paid,
        ["banner"] = Paid,
        ["retargeting"] = Paid,
        ["affiliate"] = Paid,
        ["affiliates"] = Paid,
        ["email"] = Email,
        ["e-mail"] = Email,
        ["e_mail"] = Email,
        ["newsletter"] = Email,
        ["social"] = Social,
        ["social-network"] = Social,
        ["social-media"] = Social,
        ["social_media"] = Social,
        ["sm"] = Social,
        ["organic"] = Search,
        ["referral"] = Referral,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Query parameters that only an ad click adds to a landing page URL.</summary>
    public static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> PaidClickIds = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "gclid", "gbraid", "wbraid", "dclid", "msclkid", "twclid", "li_fat_id").GetAlternateLookup<ReadOnlySpan<char>>();

    public static string Classify(ReadOnlySpan<char> utmMedium, bool paidClickId, ReferrerEntry? known, bool externalReferrer, bool hasUtmSource)
    {
        if (!utmMedium.IsEmpty && Mediums.TryGetValue(utmMedium.Trim(), out var byMedium))
        {
            return byMedium;
        }
        if (paidClickId)
        {
            return Paid;
        }
        if (known is not null)
        {
            return known.Medium switch
            {
                "search" => Search,
                "social" => Social,
                "email" => Email,
                "paid" => Paid,
                _ => Referral,
            };
        }
        return externalReferrer || hasUtmSource ? Referral : Direct;
    }
}
