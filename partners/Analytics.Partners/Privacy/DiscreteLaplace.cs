using System.Numerics;

namespace Analytics.Partners.Privacy;

/// <summary>
/// Exact samplers of Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential Privacy" (2020),
/// Algorithms 1 and 2: Bernoulli(exp(-γ)) for rational γ and the discrete Laplace distribution
/// P(Y = y) ∝ exp(-|y| · s / t), in integer arithmetic only. A floating-point sampler leaks through the gaps
/// between representable doubles (Mironov 2012); these draw nothing but uniform integers.
/// </summary>
public static class DiscreteLaplace
{
    /// <summary>One draw with P(Y = y) ∝ exp(-|y| · <paramref name="s"/> / <paramref name="t"/>), i.e. scale t/s.</summary>
    public static BigInteger Sample(BigInteger s, BigInteger t, IRandomSource random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(s, BigInteger.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(t, BigInteger.Zero);
        while (true)
        {
            var u = random.UniformBelow(t);
            if (!BernoulliExp(u, t, random))
            {
                continue;
            }
            var v = BigInteger.Zero;
            while (BernoulliExp(BigInteger.One, BigInteger.One, random))
            {
                v++;
            }
            var x = u + (t * v);
            var y = x / s;
            var negative = random.UniformBelow(2).IsOne;
            if (negative && y.IsZero)
            {
                continue;
            }
            return negative ? -y : y;
        }
    }

    /// <summary>True with probability exp(-<paramref name="numerator"/>/<paramref name="denominator"/>), for a non-negative ratio.</summary>
    public static bool BernoulliExp(BigInteger numerator, BigInteger denominator, IRandomSource random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numerator, BigInteger.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(denominator, BigInteger.Zero);
        // exp(-γ) = exp(-1)^floor(γ) · exp(-(γ - floor(γ))): each factor an independent coin.
        var whole = numerator / denominator;
        for (var k = BigInteger.Zero; k < whole; k++)
        {
            if (!BernoulliExpAtMostOne(BigInteger.One, BigInteger.One, random))
            {
                return false;
            }
        }
        return BernoulliExpAtMostOne(numerator - (whole * denominator), denominator, random);
    }

    /// <summary>
    /// exp(-γ) for γ in [0, 1]: draw A_k ~ Bernoulli(γ/k) for k = 1, 2, ... until one is 0; the count K of draws
    /// is odd with probability exactly exp(-γ) (the alternating series of exp).
    /// </summary>
    private static bool BernoulliExpAtMostOne(BigInteger numerator, BigInteger denominator, IRandomSource random)
    {
        var k = BigInteger.One;
        while (random.UniformBelow(denominator * k) < numerator)
        {
            k++;
        }
        return !k.IsEven;
    }
}
