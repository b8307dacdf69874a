using System.ComponentModel.DataAnnotations;

namespace Analytics.Host.Import;

/// <summary>Settings of `analytics import` (section "Import": `--Import:Key=value`).</summary>
public sealed class ImportSettings
{
    public const string Section = "Import";

    /// <summary>
    /// How many days after a UTC day the visitor secret it was derived with is kept (<see cref="ImportDaySecrets"/>), so
    /// that a later run derives that day's visitors alike: 2 covers a daily import after logrotate, 8 a weekly rotation
    /// imported after it; 0 keeps none, every run's visitors its own. Whoever reads the store can check an IP and
    /// user-agent against a kept day's visitors, so the longer, the longer that holds (docs/import.md).
    /// </summary>
    [Range(0, 31)]
    public int KeepDaySecretsDays { get; set; } = 2;
}
