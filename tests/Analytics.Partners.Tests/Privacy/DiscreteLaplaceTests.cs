using System.Numerics;
using Analytics.Partners.Privacy;

namespace Analytics.Partners.Tests.Privacy;

/// <summary>The exact samplers against the distributions they claim, on seeded runs of many draws.</summary>
public class DiscreteLaplaceTests
{
    private const int Draws = 100_000;

    [TestCase(1, 1, 11)]
    [TestCase(1, 2, 12)]
    [TestCase(7, 30, 13)]
    [TestCase(2, 5, 14)]
    public void Discrete_laplace_draws_follow_the_exact_distribution(int s, int t, int seed)
    {
        var random = new SeededRandomSource(seed);
        var counts = new Dictionary<long, long>();
        double sum = 0, squares = 0;
        for (var i = 0; i < Draws; i++)
        {
            var y = (long)DiscreteLaplace.Sample(s, t, random);
            counts[y] = counts.GetValueOrDefault(y) + 1;
            sum += y;
            squares += (double)y * y;
        }

        // P(Y = y) = (1 - a) / (1 + a) · a^|y| with a = exp(-s/t).
        var a = Math.Exp(-(double)s / t);
        double Probability(long y) => (1 - a) / (1 + a) * Math.Pow(a, Math.Abs(y));
        var variance = 2 * a / ((1 - a) * (1 - a));
        var mean = sum / Draws;
        var sampleVariance = (squares / Draws) - (mean * mean);
        TestContext.Out.WriteLine($"s={s} t={t}: mean {mean:F4} (0), variance {sampleVariance:F4} ({variance:F4})");
        Assert.That(Math.Abs(mean), Is.LessThan(5 * Math.Sqrt(variance / Draws)), "mean");
        // The variance of the sample variance is about (μ4 - σ⁴) / n; μ4 of the discrete Laplace stays below 25σ⁴ for these scales.
        Assert.That(Math.Abs(sampleVariance - variance), Is.LessThan(5 * Math.Sqrt(24 * variance * variance / Draws)), "variance");

        // Pearson's chi-square over the values with at least 5 expected draws, the tails pooled into two bins.
        var cut = 0L;
        while (Draws * Probability(cut + 1) >= 5)
        {
            cut++;
        }
        var chi = 0.0;
        var bins = 0;
        for (var y = -cut; y <= cut; y++)
        {
            var expected = Draws * Probability(y);
            chi += Math.Pow(counts.GetValueOrDefault(y) - expected, 2) / expected;
            bins++;
        }
        var tail = Draws * Math.Pow(a, cut + 1) / (1 + a);
        chi += Math.Pow(counts.Where(c => c.Key > cut).Sum(c => c.Value) - tail, 2) / tail;
        chi += Math.Pow(counts.Where(c => c.Key < -cut).Sum(c => c.Value) - tail, 2) / tail;
        bins += 2;
        var df = bins - 1;
        // Wilson-Hilferty approximation of the chi-square 99.9% quantile.
        var critical = df * Math.Pow(1 - (2.0 / (9 * df)) + (3.09 * Math.Sqrt(2.0 / (9 * df))), 3);
        TestContext.Out.WriteLine($"chi-square {chi:F1} on {df} degrees of freedom, 99.9% quantile {critical:F1}");
        Assert.That(chi, Is.LessThan(critical));
    }

    [TestCase(0, 1, 21)]
    [TestCase(1, 3, 22)]
    [TestCase(1, 1, 23)]
    [TestCase(5, 2, 24)]
    public void Bernoulli_exp_is_true_with_probability_exp_minus_gamma(int numerator, int denominator, int seed)
    {
        var random = new SeededRandomSource(seed);
        var trues = 0;
        for (var i = 0; i < Draws; i++)
        {
            trues += DiscreteLaplace.BernoulliExp(numerator, denominator, random) ? 1 : 0;
        }
        var p = Math.Exp(-(double)numerator / denominator);
        var sigma = Math.Sqrt(p * (1 - p) / Draws);
        Assert.That((double)trues / Draws, Is.EqualTo(p).Within((5 * sigma) + 1e-12));
    }

    [Test]
    public void Uniform_integers_cover_the_range_evenly_without_modulo_bias()
    {
        // 3 · 2^61: a byte-modulo reduction would favour the lower third.
        var bound = 3 * BigInteger.Pow(2, 61);
        var random = new SeededRandomSource(31);
        var thirds = new int[3];
        for (var i = 0; i < 30_000; i++)
        {
            var value = random.UniformBelow(bound);
            Assert.That(value, Is.GreaterThanOrEqualTo(BigInteger.Zero).And.LessThan(bound));
            thirds[(int)(value * 3 / bound)]++;
        }
        Assert.That(thirds, Has.All.InRange(10_000 - 500, 10_000 + 500));
    }
}
