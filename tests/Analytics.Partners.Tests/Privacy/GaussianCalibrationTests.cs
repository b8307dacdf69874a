using Analytics.Partners.Privacy;

namespace Analytics.Partners.Tests.Privacy;

/// <summary>
/// The discrete Gaussian's privacy accounting and published figures, each checked against an independent
/// computation: the exact privacy profile of one noisy count, the classical zCDP bound, and the mass function summed.
/// </summary>
public class GaussianCalibrationTests
{
    [TestCase(1.0, 1e-6)]
    [TestCase(3.0, 1e-6)]
    [TestCase(7.5, 5e-7)]
    [TestCase(20.0, 1e-9)]
    public void The_accounted_epsilon_is_a_valid_and_tighter_than_classical_bound_for_one_noisy_count(double sigma, double delta)
    {
        var rho = 1 / (2 * sigma * sigma);
        var epsilon = ZeroConcentratedDp.Epsilon(rho, delta);

        // A count of sensitivity 1 under N_Z(0, σ²): the least δ for this ε is Σ_z max(0, P(Z = z) - e^ε P(Z = z - 1))
        // (the hockey-stick divergence of the two neighbouring outputs; the other direction is its mirror image).
        double Weight(long z) => Math.Exp(-(double)z * z / (2 * sigma * sigma));
        var reach = (long)Math.Ceiling(40 * sigma) + 2;
        var norm = 0.0;
        for (var z = -reach; z <= reach; z++)
        {
            norm += Weight(z);
        }
        var exactDelta = 0.0;
        for (var z = -reach; z <= reach + 1; z++)
        {
            exactDelta += Math.Max(0, (Weight(z) - (Math.Exp(epsilon) * Weight(z - 1))) / norm);
        }
        // Bun and Steinke (2016), Proposition 1.3: ρ-zCDP gives (ρ + 2√(ρ ln(1/δ)), δ)-DP.
        var classical = rho + (2 * Math.Sqrt(rho * Math.Log(1 / delta)));
        TestContext.Out.WriteLine($"σ={sigma} δ={delta}: ε {epsilon:F4}, exact δ at that ε {exactDelta:E3}, classical ε {classical:F4}");
        Assert.That(exactDelta, Is.LessThanOrEqualTo(delta), "the ε claimed holds for the actual noise");
        Assert.That(epsilon, Is.LessThan(classical), "and is tighter than the classical conversion");
    }

    [TestCase(1.0, 1, 3, 1)]
    [TestCase(0.5, 3, 2, 2)]
    [TestCase(1.0, 10, 1, 3)]
    [TestCase(0.1, 1, 1, 1)]
    public void The_gaussian_sigma_is_the_least_that_fits_epsilon_and_its_figures_follow_from_it(double epsilon, int cells, int clamp, int metrics)
    {
        var options = new PrivacyOptions
        {
            Mode = PrivacyMode.DifferentialPrivacy,
            Mechanism = NoiseMechanism.DiscreteGaussian,
            Epsilon = (decimal)epsilon,
            Delta = 1e-6m,
            MaxCellsPerVisitor = cells,
            MaxContributionsPerVisitor = clamp,
        };
        var p = DpNoise.ParametersFor(options, metrics);
        var sigma = (double)p.VisitorsScale;
        // One visitor moves C cells by 1 visitor and at most M in each of the k metrics; with σ and σ·M that is ρ = C(1 + k) / 2σ².
        double RhoAt(double s) => cells * (1.0 + metrics) / (2 * s * s);
        TestContext.Out.WriteLine($"ε={epsilon} C={cells} M={clamp} k={metrics}: σ={p.VisitorsScale}, ρ={p.Rho:F5}, accounted ε={p.AccountedEpsilon:F4}, τ={p.Threshold}");
        Assert.Multiple(() =>
        {
            Assert.That(p.Mechanism, Is.EqualTo("discrete-gaussian"));
            Assert.That(p.NoiseDelta + p.ThresholdDelta, Is.EqualTo(options.Delta));
            Assert.That(p.MetricScale, Is.EqualTo(p.VisitorsScale * clamp));
            Assert.That(p.Rho, Is.EqualTo(RhoAt(sigma)).Within(1e-12));
            Assert.That(p.VisitorsL2Sensitivity, Is.EqualTo(Math.Sqrt(cells)).Within(1e-12));
            Assert.That(p.MetricL2Sensitivity, Is.EqualTo(Math.Sqrt(cells) * clamp).Within(1e-12));
            Assert.That(p.AccountedEpsilon, Is.LessThanOrEqualTo(epsilon));
            Assert.That(ZeroConcentratedDp.Epsilon(RhoAt(sigma - 0.01), (double)p.NoiseDelta!), Is.GreaterThan(epsilon), "0.01 less would not fit");
        });
        foreach (var (s, half, sd) in new[] { (sigma, p.VisitorsHalfWidth95, p.VisitorsStandardDeviation), (sigma * clamp, p.MetricHalfWidth95, p.MetricStandardDeviation) })
        {
            Assert.That(Outside(s, half), Is.LessThanOrEqualTo(0.05), "the interval holds 95%");
            Assert.That(Outside(s, half - 1), Is.GreaterThan(0.05), "and is the narrowest that does");
            Assert.That(sd, Is.EqualTo(Math.Sqrt(Variance(s))).Within(1e-6 * sd));
        }
        // A cell of one visitor (count 1) is published when 1 + Z ≥ τ: over C cells, at most the threshold's δ.
        double Leak(long tau) => cells * Above(sigma, tau - 1);
        Assert.That(Leak(p.Threshold), Is.LessThanOrEqualTo((double)p.ThresholdDelta!));
        Assert.That(Leak(p.Threshold - 1), Is.GreaterThan((double)p.ThresholdDelta!));
    }

    [Test]
    public void The_laplace_stays_the_default_mechanism()
    {
        var p = DpNoise.ParametersFor(new PrivacyOptions { Mode = PrivacyMode.DifferentialPrivacy }, 1);
        Assert.That(p.Mechanism, Is.EqualTo("discrete-laplace"));
        Assert.That(p.Rho, Is.Null);
    }

    private static double[] Masses(double sigma)
    {
        var reach = (int)Math.Ceiling(40 * sigma) + 2;
        var weights = Enumerable.Range(-reach, (2 * reach) + 1).Select(z => Math.Exp(-(double)z * z / (2 * sigma * sigma))).ToArray();
        var norm = weights.Sum();
        return weights.Select(w => w / norm).ToArray();
    }

    /// <summary>P(|Z| &gt; h).</summary>
    private static double Outside(double sigma, long h)
    {
        var masses = Masses(sigma);
        var reach = masses.Length / 2;
        return masses.Where((_, i) => Math.Abs(i - reach) > h).Sum();
    }

    private static double Variance(double sigma)
    {
        var masses = Masses(sigma);
        var reach = masses.Length / 2;
        return masses.Select((m, i) => m * (i - reach) * (double)(i - reach)).Sum();
    }

    /// <summary>P(Z ≥ k).</summary>
    private static double Above(double sigma, long k)
    {
        var masses = Masses(sigma);
        var reach = masses.Length / 2;
        return masses.Where((_, i) => i - reach >= k).Sum();
    }
}
