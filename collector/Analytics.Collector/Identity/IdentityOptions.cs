using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http;

namespace Analytics.Collector.Identity;

/// <summary>The visitor cookie and the consent signals, section "Identity".</summary>
public sealed record IdentityOptions
{
    public const string Section = "Identity";

    [Required, RegularExpression("^[A-Za-z0-9_-]{1,32}$", ErrorMessage = "Identity:CookieName must be 1-32 letters, digits, '_' or '-'.")]
    public string CookieName { get; init; } = "_vid";

    /// <summary>Set by POST /optout; while present no visitor ID is used.</summary>
    [Required, RegularExpression("^[A-Za-z0-9_-]{1,32}$", ErrorMessage = "Identity:OptOutCookieName must be 1-32 letters, digits, '_' or '-'.")]
    public string OptOutCookieName { get; init; } = "_optout";

    /// <summary>
    /// Lax for a first-party collector on the site's own domain (stats.example.com for www.example.com);
    /// None for a collector on another site, which also makes the cookie Secure and Partitioned.
    /// </summary>
    [EnumDataType(typeof(SameSiteMode))]
    public SameSiteMode SameSite { get; init; } = SameSiteMode.Lax;

    /// <summary>Optional cookie Domain (e.g. example.com to share one ID across its subdomains); empty: host-only.</summary>
    [RegularExpression(@"^$|^\.?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$", ErrorMessage = "Identity:Domain must be empty or a host name.")]
    public string Domain { get; init; } = "";

    /// <summary>Cookie lifetime; at most 13 months (396 days). The cookie is re-issued at most once a day.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "396.00:00:00", ErrorMessage = "Identity:Lifetime must be between 1 and 396 days.")]
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromDays(395);

    /// <summary>Honour the `DNT: 1` request header.</summary>
    public bool HonorDoNotTrack { get; init; } = true;

    /// <summary>Honour the `Sec-GPC: 1` request header (Global Privacy Control).</summary>
    public bool HonorGlobalPrivacyControl { get; init; } = true;
}
