using System.Numerics;

namespace Analytics.Partners.Privacy;

/// <summary>
/// The exact discrete Gaussian sampler of Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential
/// Privacy" (2020), Algorithm 3: P(Y = y) ∝ exp(-y² / 2σ²) for a rational σ². A discrete Laplace draw of scale
/// t = ⌊σ⌋ + 1 is the proposal; it is kept with probability exp(-(|y| - σ²/t)² / 2σ²), an exact Bernoulli coin of a
/// rational. Every step is integer arithmetic on uniform integers: no floating point touches the noise.
/// </summary>
public static class DiscreteGaussian
{
    /// <summary>One draw with variance parameter σ² = <paramref name="numerator"/> / <paramref name="denominator"/>.</summary>
    public static BigInteger Sample(BigInteger numerator, BigInteger denominator, IRandomSource random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(numerator, BigInteger.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(denominator, BigInteger.Zero);
        // ⌊σ⌋ = ⌊√⌊σ²⌋⌋, so t needs only integers.
        var t = FloorSquareRoot(numerator / denominator) + 1;
        while (true)
        {
            var y = DiscreteLaplace.Sample(BigInteger.One, t, random);
            // (|y| - σ²/t)² / (2σ²) with σ² = n/d is (|y|·d·t - n)² / (2·n·d·t²).
            var gap = (BigInteger.Abs(y) * denominator * t) - numerator;
            if (DiscreteLaplace.BernoulliExp(gap * gap, 2 * numerator * denominator * t * t, random))
            {
                return y;
            }
        }
    }

    /// <summary>⌊√<paramref name="value"/>⌋ by bisection on integers.</summary>
    public static BigInteger FloorSquareRoot(BigInteger value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, BigInteger.Zero);
        var low = BigInteger.Zero;
        var high = BigInteger.One << (int)((value.GetBitLength() / 2) + 1);
        // Invariant: low² ≤ value < high².
        while (high - low > 1)
        {
            var middle = (low + high) / 2;
            if (middle * middle <= value)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }
        return low;
    }
}
