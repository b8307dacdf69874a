namespace Analytics.Partners.Privacy;

/// <summary>
/// The privacy accounting of the discrete Gaussian. Noise N_Z(0, σ²) on a number one visitor can move by at most Δ
/// (an integer) is ρ-zCDP with ρ = Δ² / (2σ²), exactly as the continuous Gaussian (Canonne, Kamath, Steinke 2020,
/// Theorem 4); independent noise on many numbers adds up in L2: ρ = Σ Δᵢ² / (2σᵢ²) (their Theorem 14). ρ-zCDP is
/// turned into (ε, δ)-DP with their Corollary 13: for every order α &gt; 1 the mechanism is (ε(α), δ)-DP with
/// ε(α) = αρ + (ln(1/δ) + (α - 1)·ln(1 - 1/α) - ln α) / (α - 1); the least over a grid of α is used. Any α gives a
/// valid bound, so the grid can only make ε larger than the infimum, never smaller: the safe side. These are
/// public parameters, computed once per report in doubles; the noise itself never is.
/// </summary>
public static class ZeroConcentratedDp
{
    /// <summary>ρ of noise with standard parameter <paramref name="sigma"/> on numbers of sensitivity <paramref name="sensitivity"/> (L2).</summary>
    public static double Rho(double sensitivity, double sigma) => sensitivity * sensitivity / (2 * sigma * sigma);

    /// <summary>The ε for which ρ-zCDP implies (ε, <paramref name="delta"/>)-DP (Corollary 13, least over α on a fine logarithmic grid).</summary>
    public static double Epsilon(double rho, double delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(rho, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(delta, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(delta, 1);
        var best = double.PositiveInfinity;
        // α - 1 from e^-12 to e^12 in steps of 0.1%: ε(α) is smooth, this is far finer than the figures shown.
        for (var x = -12.0; x <= 12.0; x += 0.001)
        {
            var alpha = 1 + Math.Exp(x);
            var epsilon = (alpha * rho) + ((Math.Log(1 / delta) + ((alpha - 1) * Math.Log(1 - (1 / alpha))) - Math.Log(alpha)) / (alpha - 1));
            best = Math.Min(best, epsilon);
        }
        return Math.Max(best, 0);
    }
}
