namespace Analytics.Partners.Privacy;

/// <summary>The noise a differentially private report adds to every number; both are sampled exactly from integers.</summary>
public enum NoiseMechanism
{
    /// <summary>P(z) ∝ exp(-|z| / b), pure ε per column, composed over columns in L1 (the default).</summary>
    DiscreteLaplace,

    /// <summary>P(z) ∝ exp(-z² / 2σ²), composed over cells and columns in L2 as zCDP, then converted to (ε, δ).</summary>
    DiscreteGaussian,
}
