using System.ComponentModel.DataAnnotations;
using Analytics.Pipeline.Sites;

namespace Analytics.Pipeline;

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

    /// <summary>
    /// Count raw retention from the day a row is stored instead of the day it happened. Set by
    /// `analytics import` for the history it stores (years old, it would otherwise be deleted by the next
    /// merge); live hits keep the site's days from the day they happened.
    /// </summary>
    public bool FromStoring { get; init; }

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

    /// <summary>
    /// The <c>retention_days</c> of a row of <paramref name="siteId"/> that happened at <paramref name="at"/>
    /// and is stored now (the TTL is <c>timestamp + retention_days</c>): the site's days, and with
    /// <see cref="FromStoring"/> the days between the row's day and today on top, so imported history is
    /// kept as long after it arrives as a live hit instead of being deleted by the next merge.
    /// </summary>
    public ushort RawDaysFor(string siteId, DateTime at) => RawDaysFor(siteId, at, DateTime.UtcNow);

    /// <summary>As <see cref="RawDaysFor(string, DateTime)"/>, stored on <paramref name="storedAt"/>.</summary>
    public ushort RawDaysFor(string siteId, DateTime at, DateTime storedAt)
    {
        var late = FromStoring ? Math.Max(0, (storedAt.Date - at.Date).Days) : 0;
        return (ushort)Math.Min(ushort.MaxValue, RawDaysFor(siteId) + late);
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Sites.Where(s => s.Value is < 1 or > 36_500)
            .Select(s => new ValidationResult($"Retention:Sites:{s.Key} must be between 1 and 36500 days.", [nameof(Sites)]));
}
