using System.ComponentModel.DataAnnotations;
using Analytics.Pipeline.Sites;

namespace Analytics.Pipeline.Storage;

/// <summary>How long data is kept, section "Retention". The database enforces it (TTL).</summary>
public sealed record RetentionOptions : IValidatableObject
{
    public const string Section = "Retention";

    /// <summary>Days raw hits and visits are kept, for sites without their own setting (13 months).</summary>
    [Range(1, 36_500)]
    public int RawDays { get; init; } = 396;

    /// <summary>Days rollups (aggregates without visitor IDs) are kept.</summary>
    [Range(1, 36_500)]
    public int RollupDays { get; init; } = 1827;

    /// <summary>Per-site raw retention in days, by site ID.</summary>
    public Dictionary<string, int> Sites { get; init; } = [];

    /// <summary>Raw retention of <paramref name="siteId"/> in days.</summary>
    public ushort RawDaysFor(string siteId) => (ushort)(Sites.TryGetValue(siteId, out var days) ? days : RawDays);

    /// <summary>These settings with each registered site's own RetentionDays where <see cref="Sites"/> names none.</summary>
    public RetentionOptions WithSiteDefaults(IEnumerable<SiteSettings> sites)
    {
        var merged = new Dictionary<string, int>(Sites, StringComparer.Ordinal);
        foreach (var site in sites)
        {
            merged.TryAdd(site.Id, site.RetentionDays);
        }
        return this with { Sites = merged };
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Sites.Where(s => s.Value is < 1 or > 36_500)
            .Select(s => new ValidationResult($"Retention:Sites:{s.Key} must be between 1 and 36500 days.", [nameof(Sites)]));
}
