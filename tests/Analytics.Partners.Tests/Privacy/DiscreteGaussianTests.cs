using System.Numerics;
using Analytics.Partners.Privacy;

namespace Analytics.Partners.Tests.Privacy;

/// <summary>The exact discrete Gaussian sampler against the distribution it claims, on seeded runs of many draws.</summary>
public class DiscreteGaussianTests
{
    private const int Draws = 100_000;

    [TestCase(1, 1, 51)]
    [TestCase(9, 4, 52)]
    [TestCase(2, 3, 53)]
    [TestCase(3025, 10_000, 54)]
    [TestCase(100, 1, 55)]
    public void Discrete_gaussian_draws_follow_the_exact_distribution(int numerator, int denominator, int seed)
    {
        var random = new SeededRandomSource(seed);
        var counts = new Dictionary<long, long>();
        double sum = 0, squares = 0;
        for (var i = 0; i < Draws; i++)
        {
            var y = (long)DiscreteGaussian.Sample(numerator, denominator, random);
            counts[y] = counts.GetValueOrDefault(y) + 1;
            sum += y;
            squares += (double)y * y;
        }

        // P(Y = y) = exp(-y² / 2σ²) / Σ_k exp(-k² / 2σ²), summed here far past where the terms vanish.
        var sigma2 = (double)numerator / denominator;
        double Weight(long y) => Math.Exp(-(double)y * y / (2 * sigma2));
        var reach = (long)Math.Ceiling(40 * Math.Sqrt(sigma2)) + 2;
        var norm = 0.0;
        var variance = 0.0;
        for (var y = -reach; y <= reach; y++)
        {
            norm += Weight(y);
            variance += Weight(y) * y * y;
        }
        variance /= norm;
        double Probability(long y) => Weight(y) / norm;
        var mean = sum / Draws;
        var sampleVariance = (squares / Draws) - (mean * mean);
        TestContext.Out.WriteLine($"σ²={numerator}/{denominator}: mean {mean:F4} (0), variance {sampleVariance:F4} ({variance:F4})");
        Assert.That(Math.Abs(mean), Is.LessThan(5 * Math.Sqrt(variance / Draws)), "mean");
        // The variance of the sample variance is about (μ4 - σ⁴) / n = 2σ⁴ / n for a Gaussian; 3σ⁴ leaves room for the discrete one.
        Assert.That(Math.Abs(sampleVariance - variance), Is.LessThan(5 * Math.Sqrt(3 * variance * variance / Draws)), "variance");

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
        var tail = 0.0;
        for (var y = cut + 1; y <= reach; y++)
        {
            tail += Draws * Probability(y);
        }
        chi += Math.Pow(counts.Where(c => c.Key > cut).Sum(c => c.Value) - tail, 2) / tail;
        chi += Math.Pow(counts.Where(c => c.Key < -cut).Sum(c => c.Value) - tail, 2) / tail;
        bins += 2;
        var df = bins - 1;
        // Wilson-Hilferty approximation of the chi-square 99.9% quantile.
        var critical = df * Math.Pow(1 - (2.0 / (9 * df)) + (3.09 * Math.Sqrt(2.0 / (9 * df))), 3);
        TestContext.Out.WriteLine($"chi-square {chi:F1} on {df} degrees of freedom, 99.9% quantile {critical:F1}");
        Assert.That(chi, Is.LessThan(critical));
    }

    [Test]
    public void The_draws_are_the_gaussian_and_not_its_laplace_proposal()
    {
        // The same check must tell the discrete Gaussian from its own discrete Laplace proposal of scale ⌊σ⌋ + 1 = 2.
        var random = new SeededRandomSource(56);
        var within = 0;
        for (var i = 0; i < Draws; i++)
        {
            within += BigInteger.Abs(DiscreteGaussian.Sample(1, 1, random)) <= 1 ? 1 : 0;
        }
        // N_Z(0, 1): P(|Y| ≤ 1) = (1 + 2e^-½) / Σ e^(-k²/2) ≈ 0.883; the Laplace proposal alone would give about 0.54.
        var norm = Enumerable.Range(-40, 81).Sum(k => Math.Exp(-k * k / 2.0));
        var expected = (1 + (2 * Math.Exp(-0.5))) / norm;
        Assert.That((double)within / Draws, Is.EqualTo(expected).Within(5 * Math.Sqrt(expected * (1 - expected) / Draws)));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(99)]
    [TestCase(100)]
    [TestCase(101)]
    public void The_integer_square_root_is_exact_around_perfect_squares(int value)
    {
        var root = DiscreteGaussian.FloorSquareRoot(value);
        Assert.That(root * root, Is.LessThanOrEqualTo(new BigInteger(value)));
        Assert.That((root + 1) * (root + 1), Is.GreaterThan(new BigInteger(value)));
    }

    [Test]
    public void The_integer_square_root_is_exact_for_numbers_past_double_precision()
    {
        // (2^60 + 1)² - 1: a double rounds it up to (2^60 + 1)², whose root is one too many.
        var root = BigInteger.Pow(2, 60) + 1;
        Assert.That(DiscreteGaussian.FloorSquareRoot((root * root) - 1), Is.EqualTo(root - 1));
        Assert.That(DiscreteGaussian.FloorSquareRoot(root * root), Is.EqualTo(root));
    }
}
