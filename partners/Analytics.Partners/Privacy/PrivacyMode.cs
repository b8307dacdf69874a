namespace Analytics.Partners.Privacy;

/// <summary>How a report protects small groups of visitors.</summary>
public enum PrivacyMode
{
    /// <summary>Cells below k are withheld, with complementary suppression (the default).</summary>
    KSuppression,

    /// <summary>(ε, δ) differential privacy: bounded contributions, discrete Laplace or Gaussian noise (<see cref="NoiseMechanism"/>), a noisy threshold on cells.</summary>
    DifferentialPrivacy,
}
