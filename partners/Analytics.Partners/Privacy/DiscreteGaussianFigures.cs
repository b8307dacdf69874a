namespace Analytics.Partners.Privacy;

/// <summary>
/// Accuracy and threshold figures of the discrete Gaussian N_Z(0, σ²), from its mass function
/// exp(-z²/2σ²) / Σ exp(-k²/2σ²) summed term by term (it has no closed form). Public parameters only, in doubles.
/// </summary>
public static class DiscreteGaussianFigures
{
    /// <summary>The standard deviation (a little below σ for small σ, σ for large).</summary>
    public static double StandardDeviation(double sigma)
    {
        var (norm, last) = Normalizer(sigma);
        var variance = 0.0;
        for (var z = last; z >= 1; z--)
        {
            variance += 2 * Weight(z, sigma) * z * z;
        }
        return Math.Sqrt(variance / norm);
    }

    /// <summary>The least h with P(|Z| &gt; h) at most <paramref name="tail"/>.</summary>
    public static long HalfWidth(double sigma, double tail)
    {
        var (norm, last) = Normalizer(sigma);
        // Walk in from the far tail: P(|Z| > h) grows as h falls; the first h where it passes the tail is one too low.
        var outside = 0.0;
        for (var h = last; h >= 0; h--)
        {
            var next = outside + (2 * Weight(h, sigma) / norm);
            if (next > tail)
            {
                return h;
            }
            outside = next;
        }
        return 0;
    }

    /// <summary>
    /// The least τ with C · P(1 + Z ≥ τ) at most <paramref name="delta"/>: a cell holding one visitor (count 1 after
    /// bounding) in any of its C cells is published with probability at most δ in all.
    /// </summary>
    public static long ThresholdFor(double sigma, int cells, double delta)
    {
        var (norm, last) = Normalizer(sigma);
        var above = 0.0;
        for (var k = last; k >= 0; k--)
        {
            var next = above + (Weight(k, sigma) / norm);
            if (cells * next > delta)
            {
                // P(Z ≥ k + 1) still fits, P(Z ≥ k) does not: τ - 1 = k + 1.
                return k + 2;
            }
            above = next;
        }
        return 1;
    }

    private static double Weight(long z, double sigma) => Math.Exp(-(double)z * z / (2 * sigma * sigma));

    /// <summary>Σ exp(-z²/2σ²) over all z, summed from the smallest terms up; and the last z whose term is not 0 in doubles.</summary>
    private static (double Norm, long Last) Normalizer(double sigma)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(sigma, 0);
        // exp(-x) underflows to 0 past x ≈ 745, i.e. past z ≈ 38.6σ.
        var last = (long)Math.Ceiling(39 * sigma) + 1;
        var sum = 0.0;
        for (var z = last; z >= 1; z--)
        {
            sum += 2 * Weight(z, sigma);
        }
        return (sum + 1, last);
    }
}
